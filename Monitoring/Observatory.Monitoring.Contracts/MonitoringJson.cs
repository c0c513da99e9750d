using System.Text.Json;
using System.Text.Json.Serialization;

namespace Observatory.Monitoring.Contracts;

/// <summary>JSON settings of the monitoring API and of JSON kept in stores: camelCase, enums as camelCase strings, NaN allowed
/// on input so the validator can name it instead of a parse error.</summary>
public static class MonitoringJson
{
    public static readonly JsonSerializerOptions Options = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    public static JsonSerializerOptions Configure(JsonSerializerOptions o)
    {
        o.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        o.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        o.NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals;
        o.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
        return o;
    }
}
