using Observatory.DataService.Core.Ports;
using Observatory.DataService.Storage;
using Observatory.Testing;

namespace Observatory.DataService.Tests.Remotes;

/// <summary>The contract against a real S3 server (s3rver), through the same settings `obs remote set` writes.</summary>
public sealed class S3RemoteStoreTests(S3ServerFixture s3) : RemoteStoreContractTests, IClassFixture<S3ServerFixture>
{
    protected override IRemoteStore Open(string prefix) =>
        new S3Remote(new S3Settings(S3ServerFixture.Bucket, prefix, s3.Endpoint, UseSsl: false, "us-east-1", S3ServerFixture.AccessKey, S3ServerFixture.SecretKey));

    protected override string FileOf(string prefix, string key) => s3.ObjectFile($"{prefix}/{key}");

    [Fact]
    public void DisplayUrl_NamesBucketAndEndpoint_NeverTheSecret()
    {
        using var store = new S3Remote(new S3Settings(S3ServerFixture.Bucket, "p", s3.Endpoint, UseSsl: false, "us-east-1", "visible-id", "sup3r-s3cret"));
        Assert.Contains($"s3://{S3ServerFixture.Bucket}/p", store.DisplayUrl);
        Assert.DoesNotContain("sup3r-s3cret", store.DisplayUrl);
    }
}
