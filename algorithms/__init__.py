"""The engine: domain algorithms in pure Python on shapely >= 2, numpy, pyproj and GDAL/SQLite.

Nothing in this package imports QGIS or widgets; it is tested without QGIS.
"""
