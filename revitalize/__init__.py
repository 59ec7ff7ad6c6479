"""revitalize: a GIS toolkit for Japan's Content Regional Revitalization Bases (コンテンツ地方創生拠点)."""

__version__ = "0.1.0"
