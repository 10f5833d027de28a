"""The domain of the district prosecutor's office: rules and data, no Prefect import."""
