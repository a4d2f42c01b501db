"""Models with their weights: where weights come from (torchvision's, the bundled demo weights in
demo_weights/, a checkpoint read without unpickling), loading a registry model into a cache bounded
by memory, and the device. Built on arch/; it never imports inspect/, demo/, web/ or tools/.
"""
