"""The OGC API – Features server: pygeoapi with a provider of ours over the reference database."""
