"""The Textual app. It calls reader.core and never touches TinyDB documents."""
