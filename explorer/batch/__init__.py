"""A data set at once: `python -m explorer batch {predict,shortcuts,attribute,lesions}` runs one
per-image analysis over a folder of images into a Parquet file, locally or on Ray Data. It uses
the library's analyses (inspect, models); it never imports the web page.
"""
