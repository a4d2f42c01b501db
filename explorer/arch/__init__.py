"""What a ResNet is: the registry of names, the module-tree structure, one hooked forward pass,
receptive fields, the depth formula and the analysis built from them, all from the real modules.
The base of the package: it imports none of models/, inspect/, demo/, web/ or tools/, nor gradio
or plotly; the registry loads torch only when it builds a model.
"""
