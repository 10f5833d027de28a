"""The office: its roster and who replaces whom, identifiers, signatures, masked personal data."""
