"""Records: the audit log and its checkpoints, documents, their printed forms and rendering."""
