"""Every text of the page, its charts and explanations, in English and Simplified Chinese.

`t(lang, key, **values)` formats one text. Both languages have the same keys and placeholders
(a test checks). Technical terms stay recognisable in Chinese: BasicBlock, Bottleneck, stride,
ReLU, BatchNorm, MACs, conv names and stage names are not translated.
"""

from __future__ import annotations

from dataclasses import dataclass, field

LANGS = {"en": "English", "zh": "中文"}

EN = {
    # page
    "title": "ResNet Explorer",
    "subtitle": "The block structure of every ResNet depth, computed from the real torchvision "
    "modules: where each layer count comes from, what every stage outputs, what each block costs.",
    "language": "Language",
    "tab_arch": "Architecture",
    "tab_compare": "Compare",
    "model": "Model",
    "model_info": "torchvision · the paper · timm · yours: a registry name, timm/NAME, or a "
    "custom spec such as bottleneck-2-2-2-2",
    "input_size": "Input size (pixels)",
    "custom_title": "Build a custom ResNet",
    "block_type": "Block type",
    "stage_blocks": "{stage} blocks",
    "groups": "Groups (3×3 conv)",
    "width": "Channels per group",
    "paper_v1": "Stride on the first 1×1 (paper v1)",
    "build": "Analyse this ResNet",
    "form_blocks": "“{field}” must be a whole number from 1 to {max}; it is {value}.",
    "form_groups": "“{field}” must be a whole number from 1 to {max}; it is {value}.",
    "form_width": "“{field}” must be a whole number of at least 1; it is {value}.",
    "form_group_width": "“{groups_field}” × “{width_field}” is {groups} × {width} = {product}, "
    "more than {max} channels: lower one of them (ResNeXt 32×4d uses 32 × 4 = 128).",
    "custom_built": "Built {spec}: its analysis is below.",
    "form_empty": "empty",
    "custom_hint": "Groups and channels per group apply to Bottleneck only: ResNeXt 32×4d uses 32 "
    "and 4, Wide ResNet 1 and 128, plain ResNet 1 and 64.",
    "section_stages": "Stages",
    "section_costs": "Where the parameters and the computation go",
    "section_diagram": "The residual block at each stage",
    "section_tree": "Layer tree",
    "download_json": "Download summary (JSON)",
    "download_csv": "Download layer table (CSV)",
    "model_a": "Model A",
    "model_b": "Model B",
    "presets": "Classroom comparisons",
    "preset_basic_bottleneck": "ResNet-34 vs ResNet-50: BasicBlock vs Bottleneck",
    "preset_v1": "ResNet-50: torchvision v1.5 vs the paper's v1",
    "preset_depth": "ResNet-18 vs ResNet-34: more blocks",
    "preset_resnext": "ResNet-50 vs ResNeXt-50 32×4d: grouped 3×3",
    "preset_options": "Table 3: shortcut option A vs C (ResNet-34)",
    "section_compare_stages": "Per stage",
    "section_compare_blocks": "One block at each stage's width",
    "macs_note": "MACs are the multiply-accumulates of conv and fc layers per image, the unit of "
    "the paper's \"FLOPs\" and torchvision's GFLOPS. BatchNorm, ReLU, pooling and the residual "
    "additions are not counted.",
    "error": "Could not analyse this model: {message}",
    "error_title": "Error",
    "projector": "Projection mode",
    "copy_link": "Copy a link to this view",
    "model_card": "Model card of the demo models",
    "error_image": "Could not explain this image: {message}",
    # depth formula
    "why_depth": "why {depth} layers",
    "legend_stem": "{n} stem conv ({detail})",
    "legend_block": "{k} convs per block",
    "legend_stage": "{stage}: {n} blocks",
    "legend_stage_one": "{stage}: {n} block",
    "legend_head": "{n} fc",
    "formula_sentence": "Depth counts the layers with weights on the longest path: {stem} stem "
    "conv, {k} convs in each of the {blocks} residual blocks, and {head} fully connected layer.",
    "form_compact": "compact: {f}",
    "form_expanded": "expanded: {f}",
    "not_counted": "Not counted:",
    "uncounted_projection_conv": "{n} projection shortcut 1×1 convs",
    "uncounted_zero_pad_shortcut": "{n} zero-padding shortcuts (no weights)",
    "uncounted_attention": "{n} attention-gate layers (squeeze-excitation)",
    "uncounted_batchnorm": "{n} BatchNorm",
    "uncounted_relu": "{n} ReLU modules",
    "uncounted_pooling": "{n} pooling layers",
    "uncounted_other": "{n} other layers",
    "uncounted_calls": " (applied {calls} times)",
    "not_counted_why": "They have no weights (ReLU, pooling), fold into the conv before them at "
    "inference (BatchNorm), or sit beside the main path (projection shortcuts).",
    # tables and tree
    "col_stage": "Stage",
    "col_paper": "Paper (Table 1)",
    "col_output": "Output (C×H×W)",
    "col_stride": "Stride",
    "col_rf": "Receptive field",
    "col_blocks": "Blocks",
    "col_params": "Params",
    "col_share": "Share",
    "col_macs": "MACs",
    "col_name": "Module",
    "col_type": "Type",
    "col_detail": "Detail",
    "col_channels": "channels",
    "col_delta": "B − A",
    "total": "Total",
    "stage_table_note": "Output is channels × height × width for one image; stride and receptive "
    "field are in input pixels.",
    "stage_table_pool": " As in the paper's Table 1, the 3×3 max pool belongs to conv2_x (layer1).",
    "costs_story": "Parameters pile up late: {stage} alone holds {pct}% of them. MACs are spread "
    "out: each stage costs {lo}–{hi}% of the total, because the early stages run few channels "
    "over large feature maps.",
    "tree_stage": "{n} blocks",
    "tree_stage_one": "{n} block",
    "identity": "identity",
    "projection": "projection",
    "projection_because": "projection ({why})",
    "zero_pad": "zero-padding",
    "none": "no",
    "zero_pad_because": "zero-padding identity ({why}; no weights)",
    "no_shortcut": "none (a plain network: the block's output is ReLU(F(x)))",
    "reason_stride": "stride {stride}",
    "reason_channels": "channels {a}→{b}",
    "list_sep": ", ",
    "global": "global",
    "full_stop": ". ",
    "sentence_gap": " ",
    # compare
    "first_block": "first block",
    "later_block": "later blocks",
    "blocks_note": "A stage's first block carries its stride and projection; the later blocks "
    "are all alike, so one stands for them.",
    "cmp_totals": "{b} has {params} the parameters and {macs} the MACs of {a}.",
    "cmp_same_stages": "Same blocks per stage ({stages}), yet a deeper network: a {tb} has {kb} "
    "convs where a {ta} has {ka}, so {da} layers become {db}.",
    "cmp_more_blocks": "Same block ({t}, {k} convs), more of them: {sa} blocks per stage "
    "become {sb}, so {da} layers become {db}.",
    "cmp_block": "At {stage}, one {ta} ({ca}) has {pa} parameters and {ma} MACs; one {tb} ({cb}) "
    "has {pb} parameters and {mb} MACs.",
    "cmp_stride": "The stride of each stage's first block sits on {la} ({ka}×{ka}) in {a} and on "
    "{lb} ({kb}×{kb}) in {b}; with the stride on the 1×1, the 3×3 runs on a quarter of the "
    "positions. So {block} costs {ma} vs {mb} MACs, and the whole network {ta} vs {tb}.",
    # diagram
    "diagram_title": "Residual blocks with their real channel numbers",
    "diagram_in": "in: {c} channels",
    "diagram_out": "out: {c} channels",
    "later_blocks": "{a} … {b} (×{n})",
    "reduce": "{k} reduce",
    "expand": "{k} expand ×{x}",
    "why_projection": "A projection shortcut (1×1 conv + BN) appears only where x cannot be added "
    "to F(x) as it is, as in {block}: {reason}. Every other block adds x unchanged.",
    "why_projection_conv": "A projection shortcut (a 1×1 conv on the pre-activated input) "
    "appears only where x cannot be added to F(x) as it is, as in {block}: {reason}. Every other "
    "block adds x unchanged.",
    "why_no_projection": "Every block adds x unchanged: no block changes the shape.",
    "why_zero_pad": "Option A of the paper's Table 3: where x cannot be added to F(x) as it is, "
    "as in {block} ({reason}), it is subsampled and the new channels are zeros, with no weights. "
    "Every other block adds x unchanged.",
    "why_all_projection": "Option C of the paper's Table 3: every shortcut is a projection (1×1 "
    "conv + BN), even where x could be added as it is. The paper measured it slightly better than "
    "B and judged the extra parameters not worth it.",
    "why_plain": "A plain network: no block adds its input back, so each block's output is "
    "ReLU(F(x)), the paper's plain baseline.",
    "why_preact": " Pre-activation blocks (He et al. 2016): BN and ReLU come before each conv, "
    "and nothing follows the addition, so x reaches the next block unchanged.",
    "diagram_zero_pad": "0-pad → {c}",
    "diagram_no_shortcut": "no shortcut",
    "net_zero_pad": "zero-padding shortcut {name}: x subsampled, the new channels zeros "
    "({reason}); no weights",
    "section_network": "The whole network, as Figure 3 of the paper draws it",
    "net_plain_box": "Plain twin (no shortcuts)",
    "net_draw": "Draw",
    "net_residual": "The network",
    "net_figure3": "Figure 3: VGG-19 · plain twin · this network",
    "section_compare_networks": "The whole networks",
    "net_compare_figure3": "Figure 3 of the paper for A: VGG-19, A without shortcuts, A",
    "preset_figure3": "Figure 3: VGG-19 · 34-layer plain · ResNet-34",
    "net_bad_orientation": "The orientation must be “vertical” or “horizontal”, not {value}.",
    "net_bad_expand": "expand must be one of {choices}, not {value}.",
    "net_orientation": "Orientation",
    "net_vertical": "vertical",
    "net_horizontal": "horizontal",
    "net_hint": "Every layer the depth counts is a box (kernel, output channels, /2 where the "
    "stride is); a solid arc is an identity shortcut, a dotted one a projection (grey: option A's "
    "zero padding, no weights). Click a stage or a block to open or close it; hover for names.",
    "download_svg": "Download the figure (SVG)",
    "download_png": "Download the figure (PNG)",
    "net_plain": ", plain (no shortcuts)",
    "net_plain_short": "plain, no shortcuts",
    "net_stage_size": "{stage}: output {size}",
    "net_image": "image, {size}×{size}",
    "net_blocks": "{n} blocks",
    "net_blocks_one": "{n} block",
    "net_stage_tip": "{stage}: {n} blocks. Click to open or close it.",
    "net_stage_tip_one": "{stage}: {n} block. Click to open or close it.",
    "net_identity": "identity shortcut: x is added unchanged",
    "net_projection": "projection shortcut {name}: {conv} ({reason}), then BN",
    "net_block": "{block}: {type}, channels {channels}, stride {stride}, {shortcut} shortcut, "
    "{params} parameters, {macs} MACs, receptive field {rf}",
    "diagram_legend": "Boxes: kernel, output channels, /stride (the paper's notation). Solid side "
    "line: identity shortcut; dotted path through a 1×1 conv: projection (as in Figure 3); grey "
    "dotted path through an empty box: option A's zero padding, no weights.",
    "diagram_groups": " g{g}: a grouped convolution; its {c} channels are split into {g} groups of "
    "{w}, each convolved on its own (ResNeXt's cardinality).",
    # charts
    "chart_params": "Parameters per stage",
    "chart_macs": "MACs per stage",
    "chart_costs_title": "{model}: params and MACs per stage",
    "chart_treemap_title": "{model}: where the parameters live",
    "treemap_hint": "Stages and their blocks; click a block to see its layers, the top bar to go back.",
    "chart_compare_title": "{a} vs {b}, per stage",
    "unit_params": "params",
    # predict & explain
    "tab_predict": "Predict & Explain",
    "demo_line": "Demo models: two small ResNets this project trained on generated shapes "
    "({classes}), so predictions and Grad-CAM work offline. How they were trained and how well "
    "they do: their model card, at the foot of this tab.",
    "image": "Image",
    "examples": "Generated shapes for the demo models (click one):",
    "weights": "Weights",
    "weights_random": "random (untrained)",
    "weights_bundled": "bundled (trained by this project)",
    "weights_timm": "timm's pretrained weights (downloaded once when online)",
    "weights_default": "DEFAULT ({name})",
    "checkpoint": "Or your own weights for this model (.safetensors or .pth, optional)",
    "target": "Class to explain",
    "top1": "top-1 (the prediction)",
    "layer": "Grad-CAM layer",
    "opacity": "Overlay opacity",
    "colormap": "Colour map",
    "explain_btn": "Explain",
    "predictions": "Top-5 predictions",
    "overlay": "Grad-CAM over the image the model saw (its download is a lossless PNG)",
    "download_map": "Download raw map (16-bit PNG)",
    "stage_cams": "The same class at layer1 … layer4, left to right, with each map's grid: the deeper the layer, the coarser the map",
    "features": "The strongest channels of each stage's output (the first four channel numbers under each grid)",
    "untrained": "{title} has untrained (random) weights: these predictions mean nothing.",
    "use_demo": "Use the demo model",
    "status_torchvision": "{title}: ImageNet weights {weights}, as published by torchvision.",
    "status_bundled": "{title}: trained by this project on generated shapes; it knows only "
    "{classes}.",
    "status_file": "{title}: weights from a checkpoint ({weights}).",
    "status_random": "{title}: random initialisation; the architecture is exact, the predictions "
    "mean nothing.",
    "status_unavailable": "{title}: the ImageNet weights are not on this machine and cannot be "
    "downloaded now, so the model runs with random weights. To get them, run `python -m explorer "
    "fetch {name}` once with internet access.",
    "cam_caption": "Grad-CAM of “{label}” ({prob} probability) at {layer} ({grid} grid) of "
    "{model}.",
    "shortcuts_stale": "The model, its weights or the class changed: press “{button}” for {model}.",
    "no_image": "Upload an image, paste one, use the webcam, or click a generated example.",
    "downloading": "Downloading the weights of {name}",
    "walking_paths": "Following the gradient path by path: {paths} paths so far",
    # shortcuts
    "tab_shortcuts": "Shortcuts",
    "shortcuts_guide": "How to read these charts. Each block adds a residual branch F(x) to its "
    "shortcut S(x). The first chart compares their sizes: a ratio near 0 means the block passes its "
    "input on almost unchanged (it has learnt F ≈ 0). The second removes one block's residual "
    "branch at a time (Veit et al., 2016) and shows how the probability of the class changes; "
    "hatched bars are projection shortcuts, the blocks where the shape changes. The third shows "
    "the shortcut's part of the gradient at the block's input, ⟨g_S, g⟩ / ‖g‖²: the part that "
    "skipped the block's convs, which is what lets gradients reach the early layers (the branch "
    "has the rest; a bar passes 100% when the two parts point against each other). The path "
    "chart unrolls the network into its 2ⁿ paths: where the gradient bars sit left of the path "
    "bars, short paths carry more than their share, "
    "as Veit et al. found for ImageNet ResNets.",
    "analyse_btn": "Measure the shortcuts",
    "chart_ratio": "‖F(x)‖ / ‖S(x)‖: residual branch vs shortcut",
    "chart_lesion": "Change in the class probability with the block's residual branch removed",
    "chart_grad_share": "The shortcut's part of the gradient, ⟨g_S, g⟩ / ‖g‖²",
    "chart_shortcuts_title": "{model}: what each shortcut carries for “{label}”",
    "paths_share": "share of the 2ⁿ paths",
    "gradient_share": "share of the gradient, all {paths} paths followed",
    "gradient_share_sampled": "share of the gradient, from {paths} sampled paths",
    "chart_paths_title": "{n} blocks unrolled into paths; length k = residual branches taken",
    "path_length": "path length k",
    "with_shortcuts": "with shortcuts (ResNet)",
    "plain": "plain (shortcuts removed)",
    "chart_plain_title": "{model} at initialisation: the gradient that reaches each layer",
    "grad_norm": "RMS of ∂loss/∂W per weight (log scale)",
    "layer_index": "layer (input → output)",
    "plain_title": "Plain vs residual, at initialisation (no weights needed)",
    "plain_btn": "Compare",
    "records": "Per-block records (JSON)",
    "sum_target": "Measured for “{label}” (probability {prob}).",
    "sum_lesion": "Removing a block's residual branch changes that probability by {proj} on "
    "average for the {np} projection blocks and by {ident} for the {ni} identity blocks; the top-1 "
    "class changes for {cp} of {np} and for {ci} of {ni}.",
    "sum_lesion_a": "Removing a block's residual branch changes that probability by {proj} on "
    "average for the {np} zero-padding (option A) blocks and by {ident} for the {ni} identity "
    "blocks; the top-1 class changes for {cp} of {np} and for {ci} of {ni}.",
    "sum_plain": "This network has no shortcuts: without its residual branch a block passes on "
    "nothing, so every lesion cuts the network in two. Removing one changes the probability by "
    "{d} on average, and the top-1 class for {c} of {n}.",
    "sum_agree": "Veit et al. found that removing a downsampling (projection) block hurts the most: "
    "this model agrees.",
    "sum_disagree": "Veit et al. found that removing a downsampling (projection) block hurts the "
    "most: this model does not agree.",
    "sum_all_projection": "Every block of this model has a projection shortcut; removing any one "
    "changes the probability by {proj} on average, and the top-1 class for {cp} of {np}.",
    "sum_ratio": "‖F(x)‖/‖S(x)‖ ranges from {lo} to {hi}; of the gradient g at a block's input, "
    "the part that came back through the shortcut accounts on average for {share} "
    "(⟨g_S, g⟩ / ‖g‖²; the residual branch accounts for the rest).",
    "sum_paths": "{n} blocks make {paths} paths; a path takes {typical} residual branches on "
    "average, and half of the gradient travels along paths with at most {half} of them.",
    "plain_sum": "At initialisation, per weight (the RMS of ∂loss/∂W), the first layer of the plain "
    "{model} gets {plain} times the gradient of its last layer: {direction} With its shortcuts, "
    "{residual} times.",
    "plain_grows": "the gradient grows toward the input, an explosion rather than a vanishing.",
    "plain_shrinks": "the gradient shrinks toward the input, a vanishing.",
    "plain_deep": "Gradients that differ by orders of magnitude across layers make a deep plain "
    "network hard to train; the shortcuts keep them in scale.",
    "plain_shallow": "At this depth the two differ little; pick a deeper model to see the gap open.",
    # errors a user can cause (errors.ExplorerError.text); {x!r} quotes what they typed
    "err_too_large": "this file is {size:.1f} MB; upload an image of at most {limit} MB (a phone "
    "photo is usually 2-5 MB).",
    "err_image_missing": "image file not found: {path}.",
    "err_not_image": "this file is not an image Pillow can read. Upload a JPEG, PNG, WebP, GIF or "
    "BMP.",
    "err_bomb": "this image has too many pixels to open safely (more than {limit:,}). Upload a "
    "smaller version.",
    "err_damaged": "this image is damaged or incomplete ({detail}). Upload the file again or export "
    "it anew.",
    "err_empty_image": "this image is empty. Upload a picture.",
    "err_timeout": "this request took longer than {seconds:.0f} s and was stopped. The server may be "
    "busy: try again, or use a smaller model.",
    "err_no_layer": "no layer {layer!r} in {model}: choose a stage (layer1 … layer4) or a block "
    "such as {example}.",
    "err_no_layer_here": "no layer {layer!r} in this model: choose a stage (layer1 … layer4) or a "
    "block such as {example} ({count} layers in all).",
    "err_no_class_in": "{model} has no class called {target!r}; pick one of its classes or top-1.",
    "err_no_class": "no class called {target!r}; pass a class index or a label.",
    "err_not_upload": "this file was not uploaded to this page. Upload it again (drop it on the "
    "box or click to choose it), or click a generated example.",
    "err_data_url": "this pasted image is not a data URL the page can read. Paste or upload the "
    "image again.",
    "err_weights_choice": "{model} has no weights called {weights!r}; choose one of: {choices}. "
    "Your own weights go in the checkpoint box.",
    "err_too_costly": "{model} is too big to run on this server: {what} is {value}, the limit is "
    "{limit}. Choose fewer blocks per stage or a narrower width, or a model from the list.",
    "err_opacity": "the overlay opacity must be a number from 0 to 1, not {value!r}.",
    "err_colormap": "no colour map called {value!r}; choose one of: {choices}.",
    "err_bad_value": "{what} must be text from the menu, not {value!r}.",
    "cost_params": "the parameter count",
    "cost_macs": "the multiply-accumulates per image",
    "cost_activations": "the activation memory of one image",
    "err_target_range": "target class must be a whole number from 0 to {last}.",
    "err_unknown_model": "unknown model {name!r}. Known models: {known}; or {help}.",
    "err_no_model": "a model name is required. Known models: {known}.",
    "err_not_residual": "{model} is not a ResNet-style model, it has no residual blocks: {found}. The explorer reads networks "
    "whose modules add a branch's output to their own input on feature maps (N, C, H, W).",
    "found_tokens": "its forward pass adds {count} times, but on token sequences ({shape}) as a "
    "transformer does, not on feature maps",
    "found_inline": "its forward pass has {count} residual additions written in the model's own "
    "forward(); put each block in an nn.Module of its own so that it can be read",
    "found_plain": "its forward pass runs convolutions ({convs}) but adds no branch to its input "
    "anywhere (a plain network)",
    "err_target_syntax": "{target!r} is not FILE.py:CALLABLE or MODULE:CALLABLE, e.g. "
    "my_resnet.py:ResNet50 or my_package.models:resnet.",
    "err_target_file": "no Python file {file!r}; give the path of a .py file that defines the "
    "model.",
    "err_target_module": "cannot import {module!r} ({why}); run from the folder that holds it.",
    "err_target_callable": "{where} has no class or function {name!r} that builds an nn.Module.",
    "err_target_args": "{name}() needs arguments ({why}); name a class or function that builds "
    "the model without any, e.g. def ResNet50(): return ResNet([3, 4, 6, 3], 1000).",
    "err_no_timm": "timm models need timm: pip install 'resnet-explorer[timm]'.",
    "err_unknown_timm": "timm has no model called {name!r}; the residual families tested here: "
    "{known}.",
    "err_no_chain": "{model}'s forward does more than pass each module's output to the next "
    "({why}); the shortcut measures, lesions and Grad-CAM run a model module by module.",
    "err_two_sums": "{model}: the module {block} adds two residual branches in one call; the "
    "explorer reads one sum per block.",
    "err_block_twice": "{model}: the block {block} runs more than once in one forward pass; the "
    "explorer reads each block once.",
    "err_nested_blocks": "{model}: the block {block} holds other residual blocks; the explorer "
    "reads blocks that sit side by side.",
    "err_head_size": "{model} cannot run on a {size}×{size} input: {cause} Sizes it accepts: "
    "{sizes}.",
    "cause_fc_features": "{last} is {h}×{w} there, {pool} leaves {h2}×{w2}×{c} = {features} "
    "features, and {fc} expects {expects}. torchvision's ResNet uses AdaptiveAvgPool2d(1) "
    "so that any size works.",
    "err_spec": "invalid custom model {spec!r}: {why}. Expected {help}.",
    "spec_help": "a custom spec is BLOCK-N1-N2-N3-N4[-gG][-wW][-v1]: BLOCK is basic or bottleneck, "
    "N1..N4 the blocks per stage (1-{max}), gG the 3×3 groups and wW the channels per group "
    "(bottleneck only, default g1-w64), v1 the paper's stride placement (bottleneck only); "
    "e.g. bottleneck-2-2-2-2 or bottleneck-3-4-6-3-g32-w4",
    "why_block": "block type {block!r} is neither basic nor bottleneck",
    "why_counts": "it needs four whole-number stage counts after the block type",
    "why_stage_range": "each stage needs 1 to {max} blocks, got {counts}",
    "why_twice": "option {option!r} is given twice",
    "why_option": "unknown option {option!r}",
    "why_basic": "a BasicBlock has no groups, width or v1 option (bottleneck only)",
    "why_groups": "groups must be 1 to {max}, got {groups}",
    "why_group_width": "groups × width must be 1 to {max}, got {groups} × {width}",
    "err_input_whole": "input size must be a whole number of pixels, got {size!r}.",
    "err_input_range": "input size must be from {lo} to {hi} pixels, got {size}.",
    "err_ckpt_missing": "checkpoint file not found: {path}. Check the path.",
    "err_ckpt_unreadable": "{name} is not a readable PyTorch or safetensors checkpoint. Pass a "
    ".safetensors file or a file written by torch.save(model.state_dict(), path).",
    "err_ckpt_unreadable_why": "{name} is not a readable PyTorch or safetensors checkpoint "
    "({detail}). Pass a .safetensors file or a file written by torch.save(model.state_dict(), "
    "path).",
    "err_ckpt_pickle": "refused to load {name}: it holds Python objects besides tensors, and "
    "unpickling them could run code. Save a plain state_dict (torch.save(model.state_dict(), "
    "path)) or a .safetensors file.",
    "err_ckpt_no_state": "{name} holds no state_dict (a mapping from parameter names to tensors). "
    "Save one with torch.save(model.state_dict(), path).",
    "err_ckpt_fit": "{source} does not fit {model}: {details}. {hint}",
    "fit_missing": "{n} missing keys ({keys})",
    "fit_unexpected": "{n} unexpected keys ({keys})",
    "fit_shapes": "{n} keys with another shape, file vs model ({keys})",
    "fit_sep": "; ",
    # the demo models' classes, the generated shapes
    # why shortcuts: the degradation experiment
    "deg_title": "Why shortcuts: deeper plain networks train worse (the paper's Figure 6, "
    "reproduced here)",
    "deg_plain": "plain networks",
    "deg_resnet": "ResNets (option A shortcuts)",
    "deg_train": "training error",
    "deg_test": "test error",
    "deg_step": "step",
    "deg_steps": "SGD steps",
    "deg_error": "error",
    "deg_chart_title": "20 vs 56 layers, one recipe: bold lines training error, thin lines test "
    "error",
    "deg_plain_yes": "After {steps} steps the deeper plain network is worse on the very images "
    "it trains on: plain56 ends with {deep} training error against plain20's {shallow}, so "
    "depth alone made it harder to optimise; this is not overfitting.",
    "deg_plain_no": "In this run plain56 ended with {deep} training error against plain20's "
    "{shallow}: the paper's degradation did not appear.",
    "deg_res_yes": "With shortcuts the deeper network is no worse: resnet56 ends at {deep} "
    "against resnet20's {shallow}.",
    "deg_res_close": "With shortcuts the gap closes: resnet56 ends at {deep} against resnet20's "
    "{shallow}, {gap} points behind where plain56 is {plain_gap} points behind, and it was the "
    "lower of the two at {lead} of {records} records. Not lower at the end, as in the paper, but "
    "the degradation is gone.",
    "deg_res_no": "With shortcuts, resnet56 ended at {deep} against resnet20's {shallow}: in "
    "this run the deeper ResNet did not catch up.",
    "deg_recipe": "Measured, not copied from the paper: the four networks of this registry "
    "trained with one recipe (SGD with momentum as in the paper, learning rate {lr}, ÷10 at 50% "
    "and 75% of {steps} steps of {batch} images, pad-and-crop and flips) on {samples} generated "
    "32×32 images of 10 shapes, tested on {test} others; {device}, {minutes} min. Training error is that of the "
    "mini-batches since the previous point, as in the paper's curves. Run it again with: "
    "python -m explorer.experiments degradation",
    "shape_circle": "circle",
    "shape_square": "square",
    "shape_triangle": "triangle",
    "shape_star": "star",
    "shape_cross": "cross",
    "shape_heart": "heart",
    "shape_hexagon": "hexagon",
    "shape_arrow": "arrow",
    "shape_pentagon": "pentagon",
    "shape_diamond": "diamond",
    # CIFAR-10's classes
    "class_airplane": "airplane",
    "class_automobile": "automobile",
    "class_bird": "bird",
    "class_cat": "cat",
    "class_deer": "deer",
    "class_dog": "dog",
    "class_frog": "frog",
    "class_horse": "horse",
    "class_ship": "ship",
    "class_truck": "truck",
    "fit_other_arch": "Is it a checkpoint of another architecture? Pick the model it was trained as.",
    "fit_classes": "Its fc has {n} outputs: it was trained for {n} classes.",
}

ZH = {
    # page
    "title": "ResNet 结构浏览器",
    "subtitle": "逐层查看各种深度 ResNet 的 block 结构，数据直接来自真实的 torchvision 模块："
    "层数从何而来、每个 stage 输出什么、每个 block 开销多少。",
    "language": "语言",
    "tab_arch": "网络结构",
    "tab_compare": "对比",
    "model": "模型",
    "model_info": "torchvision · 论文 · timm · 你的模型：注册表中的模型名、timm/NAME，或自定义写法，如 "
    "bottleneck-2-2-2-2",
    "input_size": "输入尺寸（像素）",
    "custom_title": "自定义 ResNet",
    "block_type": "Block 类型",
    "stage_blocks": "{stage} 的 block 数",
    "groups": "分组数（3×3 卷积）",
    "width": "每组通道数",
    "paper_v1": "stride 放在第一个 1×1 卷积上（论文 v1）",
    "build": "分析这个 ResNet",
    "form_blocks": "“{field}”必须是 1 到 {max} 之间的整数，当前为 {value}。",
    "form_groups": "“{field}”必须是 1 到 {max} 之间的整数，当前为 {value}。",
    "form_width": "“{field}”必须是不小于 1 的整数，当前为 {value}。",
    "form_group_width": "“{groups_field}” × “{width_field}” 为 {groups} × {width} = {product}，"
    "超过了 {max} 个通道：请调小其中一个（ResNeXt 32×4d 用的是 32 × 4 = 128）。",
    "custom_built": "已构建 {spec}：分析结果见下方。",
    "form_empty": "空",
    "custom_hint": "分组数与每组通道数只对 Bottleneck 有效：ResNeXt 32×4d 为 32 和 4，"
    "Wide ResNet 为 1 和 128，普通 ResNet 为 1 和 64。",
    "section_stages": "各个 stage",
    "section_costs": "参数量与计算量分布",
    "section_diagram": "各 stage 的残差 block",
    "section_tree": "逐层结构树",
    "download_json": "下载摘要（JSON）",
    "download_csv": "下载逐层表（CSV）",
    "model_a": "模型 A",
    "model_b": "模型 B",
    "presets": "课堂常用对比",
    "preset_basic_bottleneck": "ResNet-34 对比 ResNet-50：BasicBlock 与 Bottleneck",
    "preset_v1": "ResNet-50：torchvision v1.5 对比论文原版 v1",
    "preset_depth": "ResNet-18 对比 ResNet-34：更多 block",
    "preset_resnext": "ResNet-50 对比 ResNeXt-50 32×4d：分组 3×3 卷积",
    "preset_options": "表 3：shortcut 方案 A 对比 C（ResNet-34）",
    "section_compare_stages": "逐 stage 对比",
    "section_compare_blocks": "同一 stage 宽度下的单个 block",
    "macs_note": "MACs 指每张图像在卷积层和全连接层中的乘加次数，即论文中“FLOPs”与 torchvision "
    "GFLOPS 所用的单位；BatchNorm、ReLU、池化和残差相加不计入。",
    "error": "无法分析该模型：{message}",
    "error_title": "出错了",
    "projector": "投影模式",
    "copy_link": "复制本视图的链接",
    "model_card": "演示模型的模型说明（英文）",
    "error_image": "无法解释这张图像：{message}",
    # depth formula
    "why_depth": "为什么是 {depth} 层",
    "legend_stem": "{n} 个 stem 卷积（{detail}）",
    "legend_block": "每个 block {k} 个卷积",
    "legend_stage": "{stage}：{n} 个 block",
    "legend_stage_one": "{stage}：{n} 个 block",
    "legend_head": "{n} 个全连接层 fc",
    "formula_sentence": "深度只统计最长路径上带权重的层：{stem} 个 stem 卷积，{blocks} 个残差 "
    "block 各含 {k} 个卷积，再加 {head} 个全连接层。",
    "form_compact": "简写：{f}",
    "form_expanded": "展开：{f}",
    "not_counted": "不计入：",
    "uncounted_projection_conv": "{n} 个投影 shortcut 的 1×1 卷积",
    "uncounted_attention": "{n} 个注意力门控层（squeeze-excitation）",
    "uncounted_zero_pad_shortcut": "{n} 个补零 shortcut（无权重）",
    "uncounted_batchnorm": "{n} 个 BatchNorm",
    "uncounted_relu": "{n} 个 ReLU 模块",
    "uncounted_pooling": "{n} 个池化层",
    "uncounted_other": "{n} 个其他层",
    "uncounted_calls": "（共调用 {calls} 次）",
    "not_counted_why": "它们要么没有权重（ReLU、池化），要么在推理时可并入前面的卷积（BatchNorm），"
    "要么不在主路径上（投影 shortcut）。",
    # tables and tree
    "col_stage": "阶段",
    "col_paper": "论文（表 1）",
    "col_output": "输出（C×H×W）",
    "col_stride": "步长 stride",
    "col_rf": "感受野",
    "col_blocks": "block 数",
    "col_params": "参数量",
    "col_share": "占比",
    "col_macs": "MACs",
    "col_name": "模块",
    "col_type": "类型",
    "col_detail": "说明",
    "col_channels": "通道",
    "col_delta": "B − A",
    "total": "合计",
    "stage_table_note": "输出为单张图像的 通道×高×宽；stride 与感受野以输入像素计。",
    "stage_table_pool": "与论文表 1 一致，3×3 最大池化归入 conv2_x（layer1）。",
    "costs_story": "参数集中在后段：仅 {stage} 就占 {pct}%。计算量（MACs）则分布较均匀：每个 stage "
    "占总量的 {lo}–{hi}%，因为前面的 stage 在大特征图上只用少量通道。",
    "tree_stage": "{n} 个 block",
    "tree_stage_one": "{n} 个 block",
    "identity": "恒等 identity",
    "projection": "投影 projection",
    "projection_because": "投影 projection（{why}）",
    "zero_pad": "补零 zero-padding",
    "none": "无",
    "zero_pad_because": "补零恒等 identity（{why}；无权重）",
    "no_shortcut": "无（plain 网络：block 的输出是 ReLU(F(x))）",
    "reason_stride": "stride {stride}",
    "reason_channels": "通道 {a}→{b}",
    "list_sep": "，",
    "global": "全局",
    "full_stop": "。",
    "sentence_gap": "",
    # compare
    "first_block": "第一个 block",
    "later_block": "后续 block",
    "blocks_note": "每个 stage 的第一个 block 负责 stride 和投影；后续 block 结构相同，"
    "取其一为代表。",
    "cmp_totals": "{b} 的参数量是 {a} 的 {params}，MACs 是其 {macs}。",
    "cmp_same_stages": "每个 stage 的 block 数相同（{stages}），网络却更深：{tb} 有 {kb} 个卷积，"
    "而 {ta} 只有 {ka} 个，所以 {da} 层变成了 {db} 层。",
    "cmp_more_blocks": "block 相同（{t}，每个 {k} 个卷积），但数量更多：每个 stage 的 block 数由 "
    "{sa} 变为 {sb}，因此 {da} 层变成 {db} 层。",
    "cmp_block": "在 {stage}，一个 {ta}（{ca}）有 {pa} 个参数、{ma} MACs；一个 {tb}（{cb}）有 "
    "{pb} 个参数、{mb} MACs。",
    "cmp_stride": "{a} 把每个 stage 第一个 block 的 stride 放在 {la}（{ka}×{ka}）上，{b} 则放在 "
    "{lb}（{kb}×{kb}）上；stride 在 1×1 上时，3×3 卷积只需处理四分之一的位置。因此 {block} "
    "的开销为 {ma} 对 {mb} MACs，整个网络为 {ta} 对 {tb}。",
    # diagram
    "diagram_title": "带真实通道数的残差 block",
    "diagram_in": "输入：{c} 通道",
    "diagram_out": "输出：{c} 通道",
    "later_blocks": "{a} … {b}（共 {n} 个）",
    "reduce": "{k} 降维",
    "expand": "{k} 升维 ×{x}",
    "why_projection": "只有当 x 不能直接与 F(x) 相加时才需要投影 shortcut（1×1 卷积 + BN），"
    "例如 {block}：{reason}。其余 block 都直接加上 x。",
    "why_projection_conv": "只有当 x 不能直接与 F(x) 相加时才需要投影 shortcut（作用在预激活输入上的 1×1 "
    "卷积），例如 {block}：{reason}。其余 block 都直接加上 x。",
    "why_no_projection": "所有 block 都直接加上 x：没有 block 改变张量形状。",
    "why_zero_pad": "论文表 3 的方案 A：当 x 不能直接与 F(x) 相加时（如 {block}：{reason}），"
    "x 被下采样，新增的通道补零，没有任何权重。其余 block 都直接加上 x。",
    "why_all_projection": "论文表 3 的方案 C：每个 shortcut 都是投影（1×1 卷积 + BN），即使 x "
    "本可以直接相加。论文测得它比 B 略好，但认为多出的参数不值得。",
    "why_plain": "plain 网络：没有 block 把输入加回去，每个 block 的输出是 ReLU(F(x))，即论文的 plain "
    "基线。",
    "why_preact": "预激活 block（He 等 2016）：BN 和 ReLU 在每个卷积之前，相加之后什么也不做，"
    "所以 x 原样进入下一个 block。",
    "diagram_zero_pad": "补零 → {c}",
    "diagram_no_shortcut": "无 shortcut",
    "net_zero_pad": "补零 shortcut {name}：x 下采样，新增通道为零（{reason}）；无权重",
    "section_network": "整个网络：按论文图 3 的画法",
    "net_plain_box": "对应的 plain 网络（去掉 shortcut）",
    "net_draw": "绘制",
    "net_residual": "该网络",
    "net_figure3": "论文图 3：VGG-19 · plain 网络 · 该网络",
    "section_compare_networks": "整个网络",
    "net_compare_figure3": "按论文图 3 画 A：VGG-19、去掉 shortcut 的 A、A",
    "preset_figure3": "论文图 3：VGG-19 · 34 层 plain · ResNet-34",
    "net_bad_orientation": "方向只能是 “vertical”（竖排）或 “horizontal”（横排），不能是 {value}。",
    "net_bad_expand": "expand 只能是 {choices} 之一，不能是 {value}。",
    "net_orientation": "方向",
    "net_vertical": "竖排",
    "net_horizontal": "横排",
    "net_hint": "深度所计的每一层是一个方框（卷积核、输出通道数，有 stride 处标 /2）；实线弧是恒等 "
    "shortcut，点线弧是投影 shortcut（灰色点线：方案 A 的补零，无权重）。点击 stage 或 block 可展开或收起；"
    "悬停可看名称。",
    "download_svg": "下载此图（SVG）",
    "download_png": "下载此图（PNG）",
    "net_plain": "，plain 网络（去掉 shortcut）",
    "net_plain_short": "plain 网络，无 shortcut",
    "net_stage_size": "{stage}：输出 {size}",
    "net_image": "输入图像 {size}×{size}",
    "net_blocks": "{n} 个 block",
    "net_blocks_one": "{n} 个 block",
    "net_stage_tip": "{stage}：{n} 个 block。点击展开或收起。",
    "net_stage_tip_one": "{stage}：{n} 个 block。点击展开或收起。",
    "net_identity": "恒等 shortcut：x 原样相加",
    "net_projection": "投影 shortcut {name}：{conv}（{reason}），之后接 BN",
    "net_block": "{block}：{type}，通道 {channels}，stride {stride}，{shortcut} shortcut，"
    "参数 {params}，MACs {macs}，感受野 {rf}",
    "diagram_legend": "方框：卷积核、输出通道数、/stride（论文记法）。实线旁路：恒等 identity "
    "shortcut；经过 1×1 卷积的点线：投影 shortcut（与论文图 3 相同）；经过空框的灰色点线：方案 A 的补零，"
    "无权重。",
    "diagram_groups": "g{g}：分组卷积，把 {c} 个通道分成 {g} 组、每组 {w} 个，各组分别卷积"
    "（即 ResNeXt 的基数 cardinality）。",
    # charts
    "chart_params": "各 stage 参数量",
    "chart_macs": "各 stage 的 MACs",
    "chart_costs_title": "{model}：各 stage 的参数量与 MACs",
    "chart_treemap_title": "{model}：参数都在哪里",
    "treemap_hint": "显示各 stage 及其 block；点击某个 block 查看其中的层，点击顶部栏返回。",
    "chart_compare_title": "{a} 对比 {b}（逐 stage）",
    "unit_params": "个参数",
    # predict & explain
    "tab_predict": "预测与解释",
    "demo_line": "演示模型：本项目在生成的形状图像（{classes}）上自行训练的两个小型 ResNet，"
    "因此离线也能预测并显示 Grad-CAM。它们如何训练、效果如何，见本页底部的模型说明。",
    "image": "图像",
    "examples": "为演示模型生成的形状（点击试用）：",
    "weights": "权重",
    "weights_random": "随机初始化（未训练）",
    "weights_bundled": "内置（本项目训练）",
    "weights_timm": "timm 的预训练权重（联网时下载一次）",
    "weights_default": "默认 DEFAULT（{name}）",
    "checkpoint": "或上传该模型的自有权重（.safetensors 或 .pth，可选）",
    "target": "要解释的类别",
    "top1": "top-1（预测结果）",
    "layer": "Grad-CAM 所在层",
    "opacity": "叠加不透明度",
    "colormap": "配色",
    "explain_btn": "解释",
    "predictions": "前 5 个预测",
    "overlay": "模型所见图像上的 Grad-CAM（下载为无损 PNG）",
    "download_map": "下载原始热力图（16 位 PNG）",
    "stage_cams": "同一类别从左到右在 layer1 … layer4 的 Grad-CAM（标注网格大小）：层越深，热力图越粗",
    "features": "各 stage 输出中最强的通道（每组下方标出前四个通道的编号）",
    "untrained": "{title} 的权重未经训练（随机初始化）：这些预测没有意义。",
    "use_demo": "改用演示模型",
    "status_torchvision": "{title}：torchvision 发布的 ImageNet 权重 {weights}。",
    "status_bundled": "{title}：由本项目在生成的形状上训练，只认识 {classes}。",
    "status_file": "{title}：权重来自检查点（{weights}）。",
    "status_random": "{title}：随机初始化；结构准确，但预测没有意义。",
    "status_unavailable": "{title}：本机没有 ImageNet 权重，目前也无法下载，因此模型使用随机权重。"
    "联网后运行一次 `python -m explorer fetch {name}` 即可获取。",
    "cam_caption": "{model} 中“{label}”（概率 {prob}）在 {layer} 的 Grad-CAM（{grid} 网格）。",
    "shortcuts_stale": "模型、权重或类别已更换：请点击“{button}”，测量 {model}。",
    "no_image": "请上传或粘贴图像、使用摄像头，或点击一个生成的示例。",
    "downloading": "正在下载 {name} 的权重",
    "walking_paths": "正在逐条追踪梯度路径：已追踪 {paths} 条",
    # shortcuts
    "tab_shortcuts": "Shortcut 分析",
    "shortcuts_guide": "如何阅读这些图表。每个 block 把残差分支 F(x) 加到 shortcut S(x) 上。第一张图比较"
    "两者大小：比值接近 0 说明该 block 几乎原样传递输入（它学到了 F ≈ 0）。第二张图每次去掉一个 block "
    "的残差分支（Veit 等，2016），显示目标类别概率的变化；带斜线的柱是投影 shortcut，即张量形状改变的 "
    "block。第三张图显示 block 输入处的梯度中经由 shortcut 传回的部分 ⟨g_S, g⟩ / ‖g‖²，即跳过该 block "
    "卷积的那部分，正是它让梯度能到达前面的层（其余部分来自残差分支；两部分方向相反时柱会超过 100%）。"
    "路径图把网络"
    "展开成 2ⁿ 条路径：梯度柱若位于路径柱左侧，说明较短的路径承载了超出其数量比例的梯度，这正是 Veit "
    "等人在 ImageNet ResNet 上的发现。",
    "analyse_btn": "测量 shortcut",
    "chart_ratio": "‖F(x)‖ / ‖S(x)‖：残差分支与 shortcut 之比",
    "chart_lesion": "去掉该 block 的残差分支后类别概率的变化",
    "chart_grad_share": "梯度中 shortcut 所占部分 ⟨g_S, g⟩ / ‖g‖²",
    "chart_shortcuts_title": "{model}：每个 shortcut 为“{label}”承载了多少",
    "paths_share": "占 2ⁿ 条路径的比例",
    "gradient_share": "承载的梯度比例（逐一计算全部 {paths} 条路径）",
    "gradient_share_sampled": "承载的梯度比例（由 {paths} 条抽样路径估计）",
    "chart_paths_title": "{n} 个 block 展开为路径；长度 k = 经过的残差分支数",
    "path_length": "路径长度 k",
    "with_shortcuts": "有 shortcut（ResNet）",
    "plain": "plain（去掉 shortcut）",
    "chart_plain_title": "初始化时的 {model}：到达每一层的梯度",
    "grad_norm": "每个权重的 ∂loss/∂W 均方根（对数坐标）",
    "layer_index": "层（输入 → 输出）",
    "plain_title": "plain 与残差网络：初始化时对比（无需权重）",
    "plain_btn": "比较",
    "records": "逐 block 记录（JSON）",
    "sum_target": "针对“{label}”测量（概率 {prob}）。",
    "sum_lesion": "去掉一个 block 的残差分支后，该概率平均变化：{np} 个投影 block 为 {proj}，{ni} 个"
    "恒等 block 为 {ident}；top-1 类别改变的 block：投影 {cp}/{np}，恒等 {ci}/{ni}。",
    "sum_lesion_a": "去掉一个 block 的残差分支后，该概率平均变化：{np} 个补零（方案 A）block 为 {proj}，"
    "{ni} 个恒等 block 为 {ident}；top-1 类别改变的 block：补零 {cp}/{np}，恒等 {ci}/{ni}。",
    "sum_plain": "这个网络没有 shortcut：去掉残差分支后，block 什么也传不下去，所以每次切除都把网络一分为二。"
    "去掉一个 block，概率平均变化 {d}，top-1 类别改变的有 {c}/{n} 个。",
    "sum_agree": "Veit 等人发现去掉降采样（投影）block 的影响最大：本模型与之一致。",
    "sum_disagree": "Veit 等人发现去掉降采样（投影）block 的影响最大：本模型与之不一致。",
    "sum_all_projection": "本模型的每个 block 都有投影 shortcut；去掉任一个，概率平均变化 {proj}，"
    "top-1 类别改变的有 {cp}/{np} 个。",
    "sum_ratio": "‖F(x)‖/‖S(x)‖ 在 {lo} 到 {hi} 之间；block 输入处的梯度 g 中，经由 shortcut 传回的部分"
    "平均占 {share}（⟨g_S, g⟩ / ‖g‖²，其余由残差分支承担）。",
    "sum_paths": "{n} 个 block 构成 {paths} 条路径；一条路径平均经过 {typical} 个残差分支，而一半的梯度"
    "沿着最多经过 {half} 个残差分支的路径传播。",
    "plain_sum": "初始化时，按每个权重计（∂loss/∂W 的均方根），plain {model} 第一层得到的梯度是最后一层的 "
    "{plain} 倍：{direction}有 shortcut 时为 {residual} 倍。",
    "plain_grows": "梯度越靠近输入越大，是梯度爆炸而不是消失。",
    "plain_shrinks": "梯度越靠近输入越小，即梯度消失。",
    "plain_deep": "各层梯度相差几个数量级，使深层 plain 网络难以训练；shortcut 让它们保持在同一量级。",
    "plain_shallow": "在这个深度两者差别不大；选择更深的模型可以看到差距拉开。",
    "err_too_large": "该文件大小为 {size:.1f} MB；请上传不超过 {limit} MB 的图像（手机照片通常为 "
    "2–5 MB）。",
    "err_image_missing": "找不到图像文件：{path}。",
    "err_not_image": "该文件不是 Pillow 能读取的图像。请上传 JPEG、PNG、WebP、GIF 或 BMP 文件。",
    "err_bomb": "该图像像素过多，无法安全打开（超过 {limit:,} 像素）。请上传较小的版本。",
    "err_damaged": "该图像已损坏或不完整（{detail}）。请重新上传，或重新导出该文件。",
    "err_empty_image": "该图像是空的。请上传一张图片。",
    "err_timeout": "该请求运行超过 {seconds:.0f} 秒，已被停止。服务器可能正忙：请稍后重试，或换用较小的"
    "模型。",
    "err_no_layer": "{model} 中没有名为 {layer!r} 的层：请选择一个 stage（layer1 … layer4）或一个 "
    "block，例如 {example}。",
    "err_no_layer_here": "该模型中没有名为 {layer!r} 的层：请选择一个 stage（layer1 … layer4）或一个 "
    "block，例如 {example}（共 {count} 层可选）。",
    "err_no_class_in": "{model} 没有名为 {target!r} 的类别；请从它的类别中选择，或选 top-1。",
    "err_no_class": "没有名为 {target!r} 的类别；请给出类别序号或类别名。",
    "err_not_upload": "该文件不是上传到本页面的文件。请重新上传（拖到框中或点击选择），或点击一个生成的示例。",
    "err_data_url": "粘贴的图像不是页面能读取的 data URL。请重新粘贴或上传图像。",
    "err_weights_choice": "{model} 没有名为 {weights!r} 的权重；请选择其中之一：{choices}。"
    "自己的权重请放进检查点框。",
    "err_too_costly": "{model} 太大，无法在本服务器上运行：{what}为 {value}，上限为 {limit}。"
    "请减少每个 stage 的块数或宽度，或从列表中选择模型。",
    "err_opacity": "叠加不透明度必须是 0 到 1 之间的数字，而不是 {value!r}。",
    "err_colormap": "没有名为 {value!r} 的色图；请选择其中之一：{choices}。",
    "err_bad_value": "{what}必须是菜单中的文字，而不是 {value!r}。",
    "cost_params": "参数量",
    "cost_macs": "每张图像的乘加次数",
    "cost_activations": "单张图像的激活内存",
    "err_target_range": "目标类别必须是 0 到 {last} 之间的整数。",
    "err_unknown_model": "未知模型 {name!r}。已知模型：{known}；或者{help}。",
    "err_no_model": "需要给出模型名称。已知模型：{known}。",
    "err_not_residual": "{model} 不是 ResNet 式的模型，没有残差块：{found}。本工具读取的网络要在特征图 (N, C, H, W) 上"
    "把分支的输出加到模块自己的输入上。",
    "found_tokens": "它的前向传播做了 {count} 次加法，但像 Transformer 那样加在 token 序列（{shape}）上，"
    "而不是特征图上",
    "found_inline": "它在模型自己的 forward() 里写了 {count} 处残差加法；请把每个 block 写成单独的 "
    "nn.Module，才能被读出",
    "found_plain": "它的前向传播运行了 {convs} 个卷积，但没有任何地方把分支加到输入上（普通网络）",
    "err_target_syntax": "{target!r} 不是 FILE.py:CALLABLE 或 MODULE:CALLABLE，例如 "
    "my_resnet.py:ResNet50 或 my_package.models:resnet。",
    "err_target_file": "没有 Python 文件 {file!r}；请给出定义该模型的 .py 文件路径。",
    "err_target_module": "无法导入 {module!r}（{why}）；请在包含它的文件夹中运行。",
    "err_target_callable": "{where} 中没有能构建 nn.Module 的类或函数 {name!r}。",
    "err_target_args": "{name}() 需要参数（{why}）；请给出一个不需要参数就能构建模型的类或函数，例如 "
    "def ResNet50(): return ResNet([3, 4, 6, 3], 1000)。",
    "err_no_timm": "timm 模型需要安装 timm：pip install 'resnet-explorer[timm]'。",
    "err_unknown_timm": "timm 中没有名为 {name!r} 的模型；这里测试过的残差网络家族：{known}。",
    "err_no_chain": "{model} 的 forward 不只是把每个模块的输出交给下一个模块（{why}）；shortcut 度量、"
    "消融和 Grad-CAM 需要逐个模块地运行模型。",
    "err_two_sums": "{model}：模块 {block} 在一次调用里加了两条残差分支；本工具每个 block 只读一个和。",
    "err_block_twice": "{model}：block {block} 在一次前向传播中运行了不止一次；本工具每个 block 只读一次。",
    "err_nested_blocks": "{model}：block {block} 里还包含其他残差块；本工具读取并列的 block。",
    "err_head_size": "{model} 不能在 {size}×{size} 的输入上运行：{cause}它接受的尺寸：{sizes}。",
    "cause_fc_features": "此时 {last} 为 {h}×{w}，{pool} 之后剩下 {h2}×{w2}×{c} = {features} 个特征，"
    "而 {fc} 需要 {expects} 个。torchvision 的 ResNet 使用 AdaptiveAvgPool2d(1)，所以任何尺寸都可以。",
    "err_spec": "自定义模型 {spec!r} 无效：{why}。应为{help}。",
    "spec_help": "自定义规格 BLOCK-N1-N2-N3-N4[-gG][-wW][-v1]：BLOCK 为 basic 或 bottleneck，N1..N4 为"
    "各 stage 的 block 数（1-{max}），gG 为 3×3 卷积的分组数，wW 为每组通道数（仅 bottleneck，默认 "
    "g1-w64），v1 表示论文原版的 stride 位置（仅 bottleneck）；例如 bottleneck-2-2-2-2 或 bottleneck-3-4-6-3-g32-w4",
    "why_block": "block 类型 {block!r} 既不是 basic 也不是 bottleneck",
    "why_counts": "block 类型之后需要四个整数，即各 stage 的 block 数",
    "why_stage_range": "每个 stage 需要 1 到 {max} 个 block，当前为 {counts}",
    "why_twice": "选项 {option!r} 出现了两次",
    "why_option": "未知选项 {option!r}",
    "why_basic": "BasicBlock 没有 groups、width 或 v1 选项（仅 bottleneck 有）",
    "why_groups": "分组数必须为 1 到 {max}，当前为 {groups}",
    "why_group_width": "分组数 × 每组通道数必须为 1 到 {max}，当前为 {groups} × {width}",
    "err_input_whole": "输入尺寸必须是整数像素，当前为 {size!r}。",
    "err_input_range": "输入尺寸必须在 {lo} 到 {hi} 像素之间，当前为 {size}。",
    "err_ckpt_missing": "找不到权重文件：{path}。请检查路径。",
    "err_ckpt_unreadable": "{name} 不是可读取的 PyTorch 或 safetensors 权重文件。请提供 .safetensors "
    "文件，或由 torch.save(model.state_dict(), path) 保存的文件。",
    "err_ckpt_unreadable_why": "{name} 不是可读取的 PyTorch 或 safetensors 权重文件（{detail}）。请提供 "
    ".safetensors 文件，或由 torch.save(model.state_dict(), path) 保存的文件。",
    "err_ckpt_pickle": "已拒绝加载 {name}：它除张量外还含有 Python 对象，反序列化（unpickle）它们可能"
    "执行代码。请保存纯 state_dict（torch.save(model.state_dict(), path)）或 .safetensors 文件。",
    "err_ckpt_no_state": "{name} 中没有 state_dict（参数名到张量的映射）。请用 "
    "torch.save(model.state_dict(), path) 保存。",
    "err_ckpt_fit": "{source} 与 {model} 不匹配：{details}。{hint}",
    "fit_missing": "缺少 {n} 个键（{keys}）",
    "fit_unexpected": "多出 {n} 个键（{keys}）",
    "fit_shapes": "{n} 个键的形状不同，文件 vs 模型（{keys}）",
    "fit_sep": "；",
    "deg_title": "为什么要 shortcut：更深的 plain 网络训练得更差（复现论文图 6）",
    "deg_plain": "plain 网络",
    "deg_resnet": "ResNet（方案 A shortcut）",
    "deg_train": "训练误差",
    "deg_test": "测试误差",
    "deg_step": "步",
    "deg_steps": "SGD 步数",
    "deg_error": "误差",
    "deg_chart_title": "20 层与 56 层，同一训练方案：粗线为训练误差，细线为测试误差",
    "deg_plain_yes": "训练 {steps} 步后，更深的 plain 网络在它自己的训练图像上反而更差：plain56 的训练误差为 "
    "{deep}，plain20 为 {shallow}。仅仅加深就让它更难优化——这不是过拟合。",
    "deg_plain_no": "本次运行中 plain56 的训练误差为 {deep}，plain20 为 {shallow}：论文中的退化现象没有出现。",
    "deg_res_yes": "有了 shortcut，更深的网络并不更差：resnet56 为 {deep}，resnet20 为 {shallow}。",
    "deg_res_close": "有了 shortcut，差距消失了：resnet56 最终为 {deep}，resnet20 为 {shallow}，只差 {gap} "
    "个百分点，而 plain56 比 plain20 差 {plain_gap} 个百分点；在 {records} 个记录点中有 {lead} 个 "
    "resnet56 更低。最终并未像论文那样更低，但退化已经消失。",
    "deg_res_no": "有 shortcut 时，resnet56 为 {deep}，resnet20 为 {shallow}：本次运行中更深的 ResNet "
    "没有追上。",
    "deg_recipe": "这是实测结果，并非抄自论文：本注册表中的四个网络用同一方案训练（与论文相同的动量 "
    "SGD，学习率 {lr}，在 {steps} 步的 50% 和 75% 处 ÷10，每批 {batch} 张图像，填充裁剪和翻转），训练数据为 {samples} 张生成的 "
    "32×32、10 类形状图像，另用 {test} 张测试；{device}，{minutes} 分钟。训练误差取自上一个点以来的 "
    "mini-batch，与论文曲线相同。重新运行：python -m explorer.experiments degradation",
    "shape_circle": "圆形",
    "shape_square": "正方形",
    "shape_triangle": "三角形",
    "shape_star": "星形",
    "shape_cross": "十字",
    "shape_heart": "心形",
    "shape_hexagon": "六边形",
    "shape_arrow": "箭头",
    "shape_pentagon": "五边形",
    "shape_diamond": "菱形",
    "class_airplane": "飞机",
    "class_automobile": "汽车",
    "class_bird": "鸟",
    "class_cat": "猫",
    "class_deer": "鹿",
    "class_dog": "狗",
    "class_frog": "青蛙",
    "class_horse": "马",
    "class_ship": "船",
    "class_truck": "卡车",
    "fit_other_arch": "它是否是另一种架构的权重？请选择训练它时所用的模型。",
    "fit_classes": "它的 fc 有 {n} 个输出：它是为 {n} 个类别训练的。",
}

TEXTS = {"en": EN, "zh": ZH}


@dataclass(frozen=True)
class Phrase:
    """A text inside another text, said in the same language: t() translates it first."""

    key: str
    values: dict[str, object] = field(default_factory=dict)

    def say(self, lang: str) -> str:
        return t(lang, self.key, **self.values)

    def __str__(self) -> str:
        return self.say("en")


def page_language(lang: object) -> str:
    """`lang` if the page speaks it, else English (whatever a request sent)."""
    return lang if isinstance(lang, str) and lang in LANGS else "en"


def t(lang: str, key: str, **values: object) -> str:
    """The text `key` in `lang` ("en" or "zh"; anything else falls back to English).

    A value may be a Phrase, or a tuple of Phrases (joined with the language's "fit_sep"). With
    n=1, `key`_one is said where the language has one ("1 block", not "1 blocks")."""
    table = TEXTS[page_language(lang)]
    if values.get("n") == 1 and f"{key}_one" in table:
        key = f"{key}_one"
    if not values:
        return table[key]
    said = {k: _say(v, lang) for k, v in values.items()}
    return table[key].format(**said)


def _say(value: object, lang: str) -> object:
    if isinstance(value, Phrase):
        return value.say(lang)
    if isinstance(value, tuple) and value and all(isinstance(v, Phrase) for v in value):
        return t(lang, "fit_sep").join(v.say(lang) for v in value)
    return value


def class_name(lang: str, label: str, named: bool) -> str:
    """A class as the page names it: a generated shape or a CIFAR-10 class (`named`: the page
    has names for the model's classes) in the page's language; ImageNet's names as torchvision
    spells them, in English."""
    for key in (f"shape_{label}", f"class_{label}"):
        if named and key in EN:
            return t(lang, key)
    return label
