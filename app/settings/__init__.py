"""Organization-wide settings (key/value), read and written through services."""
