using Observatory.DataService.Core.Errors;
using Observatory.DataService.Core.Validation;

namespace Observatory.DataService.Tests.Validation;

public sealed class ValidationRulesTests
{
    [Fact]
    public void FromYaml_WhenEmpty_ReturnsDefaults()
    {
        var rules = ValidationRules.FromYaml("");
        Assert.Equal(10, rules.MinWidth);
        Assert.Equal(30_000, rules.MaxSide);
        Assert.Equal(Severity.Error, rules.SeverityOf(RuleIds.ImageCorrupt));
        Assert.Equal(Severity.Warning, rules.ColourModeSeverity("grayscale"));
        Assert.Equal(Severity.Off, rules.ColourModeSeverity("rgb"));
    }

    [Fact]
    public void FromYaml_WhenKeysGiven_BindsSnakeCaseKeys()
    {
        var rules = ValidationRules.FromYaml("""
            min_width: 32
            max_pixels: 1000000
            min_pixel_variance: 2.5
            near_duplicate_distance: 2
            classes: [cat, dog]
            severity:
              image.near_duplicate: off
              pair.missing_label: error
            colour_modes:
              grayscale: error
              rgba: off
            """);
        Assert.Equal(32, rules.MinWidth);
        Assert.Equal(1_000_000, rules.MaxPixels);
        Assert.Equal(2.5, rules.MinPixelVariance);
        Assert.Equal(2, rules.NearDuplicateDistance);
        Assert.Equal(["cat", "dog"], rules.Classes);
        Assert.Equal(Severity.Off, rules.SeverityOf(RuleIds.ImageNearDuplicate));
        Assert.Equal(Severity.Error, rules.SeverityOf(RuleIds.PairMissingLabel));
        Assert.Equal(Severity.Error, rules.ColourModeSeverity("grayscale"));
        Assert.Equal(Severity.Off, rules.ColourModeSeverity("rgba"));
        Assert.Equal(Severity.Warning, rules.ColourModeSeverity("cmyk")); // modes not mentioned keep their default policy
        Assert.Equal(10, rules.MinHeight); // untouched keys keep defaults
    }

    [Fact]
    public void FromYaml_WhenKeyUnknown_ThrowsUsageErrorListingValidKeys()
    {
        var e = Assert.Throws<UsageException>(() => ValidationRules.FromYaml("min_widht: 3"));
        Assert.Contains("min_width", e.Message);
        Assert.Equal(2, e.ExitCode);
    }

    [Fact]
    public void FromYaml_WhenRuleOrSeverityUnknown_ThrowsUsageErrorListingValidValues()
    {
        var rule = Assert.Throws<UsageException>(() => ValidationRules.FromYaml("severity:\n  image.blurry: error"));
        Assert.Contains("image.near_constant", rule.Message);
        var severity = Assert.Throws<UsageException>(() => ValidationRules.FromYaml("severity:\n  image.corrupt: fatal"));
        Assert.Contains("warning", severity.Message);
        Assert.Throws<UsageException>(() => ValidationRules.FromYaml("max_side: -1"));
    }

    [Fact]
    public void FromConfigYaml_WhenWholeConfigGiven_BindsOnlyTheValidationSection()
    {
        var rules = ValidationRules.FromConfigYaml("""
            core:
              remote: origin
            remotes:
              origin:
                url: s3://bucket/prefix
            validation:
              max_findings_per_file: 7
              severity:
                image.duplicate: error
            """);
        Assert.Equal(7, rules.MaxFindingsPerFile);
        Assert.Equal(Severity.Error, rules.SeverityOf(RuleIds.ImageDuplicate));
        Assert.Equal(ValidationRules.Default.MaxSide, ValidationRules.FromConfigYaml("core:\n  remote: x\n").MaxSide);
    }

    [Fact]
    public void Catalog_ListsEveryRuleIdConstantOnce()
    {
        var constants = typeof(RuleIds).GetFields().Select(f => (string)f.GetValue(null)!).ToList();
        Assert.Equal(constants.Order(), RuleCatalog.All.Select(r => r.Id).Order());
        Assert.Equal(RuleCatalog.All.Count, RuleCatalog.All.Select(r => r.Id).Distinct().Count());
    }
}
