"""The limits that protect a classroom server: uploads, the queue, concurrency, temporary files
and the time a request may take. One place to read (and tune) them; the server and the tabs use
them. README's "Serving a classroom" describes each.
"""

# Gradio's hard cap on any upload: a ResNet-152 checkpoint (230 MB) fits. Images are held to
# images.MAX_FILE_BYTES by our loader, whose message is translated, unlike Gradio's.
MAX_UPLOAD = "256mb"
QUEUE_SIZE = 64  # waiting requests beyond this are refused with a message, not left to pile up
CONCURRENCY = 4  # per event; cached pages answer in microseconds
DELETE_CACHE = (600, 3600)  # every 10 min, drop Gradio temp files older than an hour
REQUEST_TIMEOUT_S = 120.0  # a prediction or analysis still running after this is stopped

# What one request may build and run, priced on the meta device before anything is allocated
# (arch.analysis.cost). Every registry model fits at twice its own input size (448 px for the
# ImageNet networks, 64 for CIFAR-10's, which a prediction resizes to 32): the largest are Wide
# ResNet-101-2 (126.9 M parameters, 91.0 G MACs) and ResNeXt-101 (1,409 MiB of activations); a
# custom spec such as bottleneck-50-50-50-50-w512 (11.1 G parameters) does not.
MAX_PARAMS = 150_000_000  # 600 MB of float32 weights
MAX_MACS = 100_000_000_000  # per image and forward pass at the input size used
MAX_ACTIVATION_BYTES = 1536 * 2**20  # float32 outputs of one forward pass of one image
# Pixels: the input size sliders and links. The engine takes 32 (arch.analysis.MIN_INPUT, the
# smallest that leaves layer4 a 1×1 map) to 4096; the page offers up to 1024.
MIN_SIZE_SLIDER, MAX_SIZE_SLIDER = 32, 1024
