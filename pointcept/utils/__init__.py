"""Framework-wide utilities (no dependency on datasets, models or engines)."""
