"""What a model does with an image: safe image loading, Grad-CAM, predictions and explanations,
eight saliency methods with their sanity checks and faithfulness scores, what each shortcut
carries, plain vs residual gradients, and the time budget of a request.
Built on arch/ and models/; it never imports demo/, web/ or tools/, and draws nothing.
"""
