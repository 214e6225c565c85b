"""Built-in signals and fusers."""
