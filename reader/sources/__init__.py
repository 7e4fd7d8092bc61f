"""Where papers come from. For now: the sample page bundled with the package."""
