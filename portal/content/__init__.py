"""Read the content: find the source files, parse them, build typed models, convert
Markdown to safe HTML, and keep the models of the last build (snapshot)."""
