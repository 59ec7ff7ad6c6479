"""UI strings by feature, each file one ``STRINGS`` dict of key → (Japanese, English);
``core.i18n`` merges them (a key defined twice is an error at import)."""

