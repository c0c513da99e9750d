# Makes the Pillow resize fixtures of ResamplerTests (run with Debian's /usr/bin/python3, Pillow 9.4; committed output).
import numpy as np
from PIL import Image

h, w = 53, 67
y, x = np.mgrid[0:h, 0:w]
rgb = np.stack([(x * 7 + y * 3) % 256, (x * x + y * 11) % 256, ((x // 4 + y // 4) % 2) * 200 + 20], axis=-1).astype(np.uint8)
src = Image.fromarray(rgb, "RGB")
src.save("resize_src.png")
src.resize((20, 15), Image.BILINEAR).save("resize_20x15.png")
src.resize((96, 96), Image.BILINEAR).save("resize_96x96.png")
src.resize((24, 24), Image.BILINEAR, box=(7.5, 0.0, 60.5, 53.0)).save("resize_box_24x24.png")
