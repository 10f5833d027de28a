"""The sweeps of the office: daily deadlines, hourly urgent matters, desks, notices, lost runs."""
