"""One aiohttp client per legacy protocol; legacy field names become domain names here and nowhere else."""
