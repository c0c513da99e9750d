using Observatory.Monitoring.Core.Drift;

namespace Observatory.Monitoring.Tests.Drift;

public sealed class OutliersTests
{
    private static readonly float[][] Reference = [[0, 0], [1, 0], [0, 1], [1, 1], [0.5f, 0.5f]];

    [Fact]
    public void NearestReferenceDistances_AreTheDistanceToTheClosestReferencePoint()
    {
        float[][] current = [[0, 0], [3, 0], [0.5f, 0.6f], [1, 5]];
        var d = Outliers.NearestReferenceDistances(Reference, current);
        Assert.Equal([0, 2, 0.1, 4], d.Select(x => Math.Round(x, 6)).ToArray());
        Assert.Equal([3, 1], Outliers.Largest(d, 2));
    }

    [Fact]
    public void Typical_IsClosestToTheReferenceMean()
    {
        var typical = Outliers.Typical(Reference, 2);
        Assert.Equal(4, typical[0].Index);
        Assert.Equal(0, typical[0].Distance, 9);
        Assert.Equal(0, typical[1].Index);
        Assert.Equal(Math.Sqrt(0.5), typical[1].Distance, 6);
    }

    [Fact]
    public void Histogram_OfUnitInterval_CountsEachSideIntoTenBins_OneInTheLastBin()
    {
        var h = Histogram.OfUnitInterval([0.05, 0.15, 0.95, 1.0], [0.71, 0.72, 0.99]);
        Assert.Equal(11, h.Edges.Length);
        Assert.Equal([1, 1, 0, 0, 0, 0, 0, 0, 0, 2], h.Reference);
        Assert.Equal([0, 0, 0, 0, 0, 0, 0, 2, 0, 1], h.Current);
    }

    [Fact]
    public void NearestReference_NamesTheClosestReferencePoint_TheLowerIndexOnTies()
    {
        float[][] reference = [[0, 0], [10, 0], [0, 10], [10, 0]];
        var nearest = Outliers.NearestReference(reference, [[9, 1], [1, 9], [-3, -4]]);
        Assert.Equal([1, 2, 0], nearest.Select(n => n.Index).ToArray());
        Assert.Equal(5, nearest[2].Distance, 10);
    }
}
