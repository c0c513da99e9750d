using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Observatory.Monitoring.Contracts;

namespace Observatory.Monitoring.Tests.Events;

/// <summary>
/// An embedding's decimal numbers are parsed by csFastFloat, not the runtime: every value must come out bit for bit as the
/// runtime's parser gives it, and what the runtime refuses must still be refused.
/// </summary>
public sealed class EmbeddingJsonConverterTests
{
    private sealed record Holder([property: JsonConverter(typeof(EmbeddingJsonConverter))] float[]? Embedding);

    private static float[] Read(string numbers) =>
        JsonSerializer.Deserialize<Holder>($"{{\"Embedding\":[{numbers}]}}")!.Embedding!;

    [Fact]
    public void Numbers_AreParsedBitForBitAsTheRuntimeParsesThem_InEveryFormAClientWrites()
    {
        var rng = new Random(11);
        var texts = new List<string>();
        for (var i = 0; i < 20_000; i++)
        {
            // Any finite float32 bit pattern (subnormals, the largest, both signs), in the forms clients print numbers.
            var f = BitConverter.Int32BitsToSingle(rng.Next() ^ (rng.Next(2) << 31));
            if (!float.IsFinite(f)) continue;
            texts.Add(f.ToString("R", CultureInfo.InvariantCulture));
            texts.Add(f.ToString("E9", CultureInfo.InvariantCulture));
            texts.Add(((double)f).ToString("R", CultureInfo.InvariantCulture));
            texts.Add((rng.NextDouble() * 2 - 1).ToString("F" + rng.Next(1, 20), CultureInfo.InvariantCulture));
            texts.Add((rng.NextDouble() * 1e-30).ToString("R", CultureInfo.InvariantCulture));
        }
        // Halfway cases and limits: the largest float32, past it but still rounding to it, the smallest subnormal, zeros.
        texts.AddRange(["3.4028235e38", "3.40282356e38", "1.4e-45", "7e-46", "-0", "0", "0.0", "1E+2", "123456789012345678901234567890",
            "0.1000000000000000055511151231257827", "16777217", "16777219", "1.00000005960464477539062", "1.0000000596046448"]);
        var parsed = Read(string.Join(",", texts));
        Assert.Equal(texts.Count, parsed.Length);
        for (var i = 0; i < texts.Count; i++)
        {
            var expected = float.Parse(texts[i], NumberStyles.Float, CultureInfo.InvariantCulture);
            Assert.True(BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(parsed[i]),
                $"'{texts[i]}': {parsed[i]:R}, the runtime {expected:R}");
        }
    }

    /// <summary>Past float32's range the runtime gives an infinity, which event validation then names; so does the converter.</summary>
    [Theory]
    [InlineData("3.5e38", float.PositiveInfinity)]
    [InlineData("-1e39", float.NegativeInfinity)]
    [InlineData("1e400", float.PositiveInfinity)]
    public void ANumberPastFloat32_ReadsAsTheRuntimeReadsIt(string number, float expected)
    {
        Assert.Equal(float.Parse(number, CultureInfo.InvariantCulture), expected);
        Assert.Equal(expected, Assert.Single(Read(number)));
    }

    [Theory]
    [InlineData("\"x\"")]
    [InlineData("true")]
    [InlineData("[1]")]
    public void AValueThatIsNotANumber_IsRefused(string value)
    {
        var ex = Assert.Throws<JsonException>(() => Read("1," + value));
        Assert.Contains("not a number", ex.Message);
    }
}
