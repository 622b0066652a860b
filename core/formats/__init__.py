"""Number formats overriding Django's per language (settings.FORMAT_MODULE_PATH); the rest stays Django's."""
