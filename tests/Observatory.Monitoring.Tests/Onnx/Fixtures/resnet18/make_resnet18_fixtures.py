# Makes the fixtures of ResNet18EncoderTests: an independent NumPy forward pass of the package's two ONNX graphs
# (ResNetPreprocess.onnx, then ResNet18.onnx), weights read with onnx.numpy_helper, convolution by im2col.
# Run with Debian's /usr/bin/python3 (python3-numpy, python3-onnx, python3-pil, python3-sklearn) from this folder:
#   /usr/bin/python3 make_resnet18_fixtures.py ~/.nuget/packages/microsoft.ml.dnnimagefeaturizer.resnet18/0.24.0/tools/DnnImageModels
# Output (committed): the input images, the 224x224 crops Pillow makes of them (the preprocessing reference) and
# resnet18_embeddings.npy (float64, one 512-d row per image, in the order of IMAGES).
import sys
import numpy as np
import onnx
from onnx import numpy_helper
from PIL import Image

models = sys.argv[1]
prep = onnx.load(f"{models}/ResNetPrepOnnx/ResNetPreprocess.onnx")
net = onnx.load(f"{models}/ResNet18Onnx/ResNet18.onnx")
mean_image = numpy_helper.to_array(prep.graph.initializer[0]).astype(np.float64)  # [1,3,224,224], BGR
weights = {t.name: numpy_helper.to_array(t).astype(np.float64) for t in net.graph.initializer}


def make_images():
    """Three inputs: a synthetic 224x224 (no resize), a synthetic 300x200 and a crop of a real photograph (both cropped)."""
    from sklearn.datasets import load_sample_image
    y, x = np.mgrid[0:224, 0:224]
    a = np.stack([(x * 255 // 223), (y * 255 // 223), ((x // 28 + y // 28) % 2) * 180 + 40], axis=-1).astype(np.uint8)
    Image.fromarray(a, "RGB").save("pattern_224x224.png")
    y, x = np.mgrid[0:200, 0:300]
    b = np.stack([(np.sin(x / 9.0) * 100 + 128), (np.cos(y / 13.0) * 90 + 120), ((x + y) % 256)], axis=-1).astype(np.uint8)
    Image.fromarray(b, "RGB").save("waves_300x200.png")
    china = load_sample_image("china.jpg")  # 427x640 RGB
    Image.fromarray(china[100:292, 200:456], "RGB").save("china_256x192.png")


IMAGES = ["pattern_224x224.png", "waves_300x200.png", "china_256x192.png"]


def preprocess(path):
    """The documented preprocessing: largest centred crop with the input's aspect (1:1), Pillow BILINEAR resize to 224."""
    img = Image.open(path).convert("RGB")
    w, h = img.size
    side = min(w, h)
    x0, y0 = (w - side) // 2, (h - side) // 2
    img = img.crop((x0, y0, x0 + side, y0 + side)).resize((224, 224), Image.BILINEAR)
    return img


def conv(x, w, b, strides, pads, group=1):
    assert group == 1
    n, c, h, wd = x.shape
    oc, ic, kh, kw = w.shape
    t, l, bt, r = pads[0], pads[1], pads[2], pads[3]
    xp = np.pad(x, ((0, 0), (0, 0), (t, bt), (l, r)))
    oh = (h + t + bt - kh) // strides[0] + 1
    ow = (wd + l + r - kw) // strides[1] + 1
    cols = np.empty((n, c, kh, kw, oh, ow))
    for i in range(kh):
        for j in range(kw):
            cols[:, :, i, j] = xp[:, :, i:i + strides[0] * oh:strides[0], j:j + strides[1] * ow:strides[1]]
    cols = cols.reshape(n, c * kh * kw, oh * ow)
    out = np.einsum("ok,nkp->nop", w.reshape(oc, -1), cols).reshape(n, oc, oh, ow)
    return out + (b.reshape(1, -1, 1, 1) if b is not None else 0)


def pool(x, k, strides, pads, mode):
    n, c, h, w = x.shape
    t, l, bt, r = pads
    fill = -np.inf if mode == "max" else np.nan
    xp = np.pad(x, ((0, 0), (0, 0), (t, bt), (l, r)), constant_values=fill)
    oh = (h + t + bt - k[0]) // strides[0] + 1
    ow = (w + l + r - k[1]) // strides[1] + 1
    win = np.empty((n, c, k[0] * k[1], oh, ow))
    for i in range(k[0]):
        for j in range(k[1]):
            win[:, :, i * k[1] + j] = xp[:, :, i:i + strides[0] * oh:strides[0], j:j + strides[1] * ow:strides[1]]
    return win.max(axis=2) if mode == "max" else np.nanmean(win, axis=2)  # count_include_pad=0


def attrs(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def forward(x):
    values = {net.graph.input[0].name: x}
    for node in net.graph.node:
        a = attrs(node)
        ins = [values[i] if i in values else weights[i] for i in node.input]
        if node.op_type == "Conv":
            out = conv(ins[0], ins[1], ins[2] if len(ins) > 2 else None, a["strides"], a["pads"], a.get("group", 1))
        elif node.op_type == "BatchNormalization":
            xx, scale, bias, mean, var = ins
            sh = (1, -1, 1, 1)
            out = (xx - mean.reshape(sh)) / np.sqrt(var.reshape(sh) + a["epsilon"]) * scale.reshape(sh) + bias.reshape(sh)
        elif node.op_type == "Relu":
            out = np.maximum(ins[0], 0)
        elif node.op_type == "Add":
            out = ins[0] + ins[1]
        elif node.op_type == "MaxPool":
            out = pool(ins[0], a["kernel_shape"], a["strides"], a["pads"], "max")
        elif node.op_type == "AveragePool":
            assert a.get("count_include_pad", 0) == 0
            out = pool(ins[0], a["kernel_shape"], a["strides"], a["pads"], "avg")
        else:
            raise SystemExit(f"unexpected op {node.op_type}")
        values[node.output[0]] = out
    return values[net.graph.output[0].name].reshape(x.shape[0], -1)


if __name__ == "__main__":
    make_images()
    rows = []
    for name in IMAGES:
        img = preprocess(name)
        img.save(name.replace(".png", "_crop224.png"))
        rgb = np.asarray(img, dtype=np.float64).transpose(2, 0, 1)[None]  # [1,3,224,224] RGB 0..255
        bgr = rgb[:, ::-1]  # the preprocessing graph's Split -> Concat(B, G, R)
        rows.append(forward(bgr - mean_image)[0])
    out = np.stack(rows)
    np.save("resnet18_embeddings.npy", out)
    print(out.shape, out[:, :4])
