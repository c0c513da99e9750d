# Makes the .npy fixtures of EmbeddingCacheFileTests with NumPy itself (run with Debian's /usr/bin/python3; committed output).
import numpy as np

np.save("numpy_f4_2x3.npy", np.array([[1.0, -2.5, 3.25], [4.0, 5.5, 1e-3]], dtype="<f4"))
np.save("numpy_f8_3x2.npy", np.array([[0.1, 0.2], [1e300, -0.0], [3.0, 255.0]], dtype="<f8"))
