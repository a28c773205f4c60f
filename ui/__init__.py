"""The review dock, its controller and the settings page (no geometry work in widgets)."""
