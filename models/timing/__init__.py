"""Time: the Kazakhstan working-day calendar, statutory terms as data, deadline arithmetic."""
