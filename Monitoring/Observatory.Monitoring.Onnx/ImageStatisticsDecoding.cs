namespace Observatory.Monitoring.Onnx;

/// <summary>Statistics of an encoded image without a model: the decode lives here, beside the embedder's, so both agree.</summary>
public static class ImageStatisticsDecoding
{
    extension(ImageStatistics)
    {
        /// <summary>
        /// Decodes <paramref name="encoded"/> and computes its statistics (no model involved). Equal to what
        /// <see cref="ImageEmbedder"/> reports when the model input is at most <see cref="ImageStatistics.AnalysisSize"/> px (the
        /// shipped encoder); with larger inputs a JPEG may be decoded at another DCT scale and sharpness differ slightly.
        /// </summary>
        public static ImageStatistics FromEncoded(byte[] encoded, string name, ImageDecodeLimits? limits = null) =>
            ImageDecoder.DecodeStatistics(encoded, name, limits ?? ImageDecodeLimits.Default);
    }
}
