namespace Observatory.DataService.Core.Validation;

/// <summary>A rule id with its default severity and what it checks; the catalogue is the single source for docs and config checks.</summary>
public sealed record RuleInfo(string Id, Severity DefaultSeverity, string Description);

/// <summary>Every rule id the validator can report.</summary>
public static class RuleIds
{
    public const string FileUnreadable = "file.unreadable";
    public const string ImageEmpty = "image.empty";
    public const string ImageNotImage = "image.not_image";
    public const string ImageFormatMismatch = "image.format_mismatch";
    public const string ImageUnsupported = "image.unsupported_format";
    public const string ImageTruncated = "image.truncated";
    public const string ImageCorrupt = "image.corrupt";
    public const string ImageJpegNoEoi = "image.jpeg_no_eoi";
    public const string ImageTooLarge = "image.too_large";
    public const string ImageTooSmall = "image.too_small";
    public const string ImageFileSize = "image.file_size";
    public const string ImageColourMode = "image.colour_mode";
    public const string ImageBitDepth = "image.bit_depth";
    public const string ImageNearConstant = "image.near_constant";
    public const string ImageDuplicate = "image.duplicate";
    public const string ImageNearDuplicate = "image.near_duplicate";

    public const string AnnotationTooLarge = "annotation.too_large";
    public const string FindingsTruncated = "report.truncated";

    public const string YoloClassList = "yolo.class_list";
    public const string YoloNoClassList = "yolo.no_class_list";
    public const string YoloFieldCount = "yolo.field_count";
    public const string YoloNumber = "yolo.number";
    public const string YoloClassId = "yolo.class_id";
    public const string YoloRange = "yolo.coordinate_range";
    public const string YoloBoxSize = "yolo.box_size";
    public const string YoloBoxOutside = "yolo.box_outside";
    public const string YoloDuplicateRow = "yolo.duplicate_row";
    public const string YoloEncoding = "yolo.encoding";

    public const string JsonSyntax = "json.syntax";
    public const string CocoSchema = "coco.schema";
    public const string CocoDuplicateId = "coco.duplicate_id";
    public const string CocoUnresolvedImage = "coco.unresolved_image";
    public const string CocoUnresolvedCategory = "coco.unresolved_category";
    public const string CocoBboxOutside = "coco.bbox_outside";
    public const string CocoBboxDegenerate = "coco.bbox_degenerate";
    public const string CocoArea = "coco.area";
    public const string CocoMissingFile = "coco.missing_file";
    public const string CocoSizeMismatch = "coco.size_mismatch";

    public const string VocSyntax = "voc.syntax";
    public const string VocSchema = "voc.schema";
    public const string VocSizeMismatch = "voc.size_mismatch";
    public const string VocBboxOutside = "voc.bbox_outside";
    public const string VocBboxDegenerate = "voc.bbox_degenerate";
    public const string VocUnknownClass = "voc.unknown_class";

    public const string PairMissingLabel = "pair.missing_label";
    public const string PairOrphanLabel = "pair.orphan_label";
    public const string ClassBalance = "class.balance";
}

public static class RuleCatalog
{
    public static readonly IReadOnlyList<RuleInfo> All =
    [
        new(RuleIds.FileUnreadable, Severity.Error, "A listed file could not be read from disk."),
        new(RuleIds.ImageEmpty, Severity.Error, "Zero-byte image file."),
        new(RuleIds.ImageNotImage, Severity.Error, "File has an image extension but its bytes are no known image format."),
        new(RuleIds.ImageFormatMismatch, Severity.Warning, "Format found by magic bytes differs from the extension (e.g. PNG named .jpg)."),
        new(RuleIds.ImageUnsupported, Severity.Warning, "Recognised image format the decoder cannot check (TIFF, HEIF, AVIF...)."),
        new(RuleIds.ImageTruncated, Severity.Error, "The image data ends before the last row was decoded."),
        new(RuleIds.ImageCorrupt, Severity.Error, "Header unreadable or the decoder reported an error in the data."),
        new(RuleIds.ImageJpegNoEoi, Severity.Warning, "JPEG decodes fully but does not end with the FF D9 end-of-image marker: bytes follow the image (Ultralytics 'corrupt JPEG'). A JPEG cut before its marker is image.truncated."),
        new(RuleIds.ImageTooLarge, Severity.Error, "Header dimensions above max_side or max_pixels; refused before any pixel memory is allocated."),
        new(RuleIds.ImageTooSmall, Severity.Error, "Width or height below min_width/min_height."),
        new(RuleIds.ImageFileSize, Severity.Error, "File larger than max_image_bytes (not decoded) or smaller than min_image_bytes."),
        new(RuleIds.ImageColourMode, Severity.Warning, "Colour mode not allowed by colour_modes (grayscale, RGBA... per policy)."),
        new(RuleIds.ImageBitDepth, Severity.Warning, "More than 8 bits per channel (16-bit PNG, 12-bit JPEG)."),
        new(RuleIds.ImageNearConstant, Severity.Warning, "Pixel variance (mean of R, G, B variances) below min_pixel_variance: blank or nearly uniform image."),
        new(RuleIds.ImageDuplicate, Severity.Warning, "Byte-identical to another image of the dataset (same SHA-256)."),
        new(RuleIds.ImageNearDuplicate, Severity.Warning, "Perceptual hash within near_duplicate_distance bits of another image, confirmed by mean colour (near_duplicate_max_colour_shift) and 16×16 thumbnail (near_duplicate_max_thumbnail_difference); reported per pair."),
        new(RuleIds.AnnotationTooLarge, Severity.Error, "Annotation file larger than max_annotation_bytes; not parsed."),
        new(RuleIds.FindingsTruncated, Severity.Info, "More findings in this file than max_findings_per_file; the rest are counted, not listed."),
        new(RuleIds.YoloClassList, Severity.Error, "data.yaml/classes.txt unreadable, inconsistent with each other, or nc differs from names."),
        new(RuleIds.YoloNoClassList, Severity.Info, "YOLO labels found but no class list (data.yaml, classes.txt or classes in config); class ids only checked for being integers >= 0."),
        new(RuleIds.YoloFieldCount, Severity.Error, "Row is not 'class cx cy w h' (5 fields) nor a polygon (class + an even number >= 6 of coordinates)."),
        new(RuleIds.YoloNumber, Severity.Error, "A field is not a finite number."),
        new(RuleIds.YoloClassId, Severity.Error, "Class is not an integer >= 0 or not below the number of classes."),
        new(RuleIds.YoloRange, Severity.Error, "A normalised coordinate lies outside [0, 1]."),
        new(RuleIds.YoloBoxSize, Severity.Error, "Box width or height is not > 0."),
        new(RuleIds.YoloBoxOutside, Severity.Error, "Box extends beyond the image (more than box_tolerance_px)."),
        new(RuleIds.YoloDuplicateRow, Severity.Warning, "The same row appears twice in one label file."),
        new(RuleIds.YoloEncoding, Severity.Error, "Label file is not UTF-8 text (binary data)."),
        new(RuleIds.JsonSyntax, Severity.Error, "JSON file is not well-formed, nests deeper than max_json_depth, or is not UTF-8."),
        new(RuleIds.CocoSchema, Severity.Error, "COCO structure: images/annotations/categories arrays and their fields have the wrong type or are missing."),
        new(RuleIds.CocoDuplicateId, Severity.Error, "Image, annotation or category id used twice."),
        new(RuleIds.CocoUnresolvedImage, Severity.Error, "Annotation image_id names no image."),
        new(RuleIds.CocoUnresolvedCategory, Severity.Error, "Annotation category_id names no category."),
        new(RuleIds.CocoBboxOutside, Severity.Error, "bbox extends beyond its image's width/height."),
        new(RuleIds.CocoBboxDegenerate, Severity.Error, "bbox width or height is not > 0."),
        new(RuleIds.CocoArea, Severity.Error, "area is not > 0."),
        new(RuleIds.CocoMissingFile, Severity.Error, "Image file_name not found in the dataset."),
        new(RuleIds.CocoSizeMismatch, Severity.Error, "Image width/height in the JSON differ from the decoded file."),
        new(RuleIds.VocSyntax, Severity.Error, "XML is not well-formed, has a DTD (refused: entity expansion), nests deeper than max_xml_depth, or is too large."),
        new(RuleIds.VocSchema, Severity.Error, "Root is not <annotation>, or size/object/name/bndbox fields are missing or not numbers."),
        new(RuleIds.VocSizeMismatch, Severity.Error, "<size> differs from the decoded image."),
        new(RuleIds.VocBboxOutside, Severity.Error, "bndbox beyond 0..width / 0..height (VOC is 1-based; box_tolerance_px applies)."),
        new(RuleIds.VocBboxDegenerate, Severity.Error, "bndbox has xmin >= xmax or ymin >= ymax."),
        new(RuleIds.VocUnknownClass, Severity.Error, "Object name not in the class list."),
        new(RuleIds.PairMissingLabel, Severity.Warning, "Image has no label (no YOLO .txt, no VOC .xml, not listed in a COCO file) in a dataset that has labels."),
        new(RuleIds.PairOrphanLabel, Severity.Warning, "Label file (YOLO .txt under labels/, VOC .xml) whose image does not exist."),
        new(RuleIds.ClassBalance, Severity.Info, "Objects per class and the imbalance ratio (largest / smallest non-empty class)."),
    ];

    private static readonly Dictionary<string, RuleInfo> ById = All.ToDictionary(r => r.Id, StringComparer.Ordinal);

    public static bool TryGet(string id, out RuleInfo rule) => ById.TryGetValue(id, out rule!);
}
