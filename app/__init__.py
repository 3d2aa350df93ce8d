"""The entry points that wire everything: the CLI and the demo."""
