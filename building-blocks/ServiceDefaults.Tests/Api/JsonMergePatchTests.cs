using System.Text.Json;
using System.Text.Json.Nodes;
using Community.ServiceDefaults.Api;
using Community.ServiceDefaults.Errors;

namespace Community.ServiceDefaults.Tests.Api;

public sealed class JsonMergePatchTests
{
    private sealed record Input
    {
        public string? Title { get; init; }
        public int? Capacity { get; init; }
        public List<string>? Tags { get; init; }
        public Place? Where { get; init; }
    }

    private sealed record Place(string? City, string? Country);

    private static readonly JsonSerializerOptions Options = Json();

    private static JsonSerializerOptions Json()
    {
        var options = new JsonSerializerOptions();
        ServiceDefaultsExtensions.ConfigureJson(options);
        return options;
    }

    private static JsonObject Patch(string json) => JsonNode.Parse(json)!.AsObject();

    private static readonly Input Current = new()
    {
        Title = "Board games",
        Capacity = 10,
        Tags = ["games"],
        Where = new("Dubai", "AE"),
    };

    [Fact]
    public void Absent_members_keep_their_value_and_given_ones_replace_it()
    {
        var patched = JsonMergePatch.Apply(Current, Patch("""{"capacity": 12}"""), Options);
        Assert.Equal(Current with { Capacity = 12 }, patched with { Tags = Current.Tags, Where = Current.Where });
        Assert.Equal(["games"], patched.Tags!);
    }

    [Fact]
    public void Null_clears_a_member()
    {
        var patched = JsonMergePatch.Apply(Current, Patch("""{"title": null, "tags": null}"""), Options);
        Assert.Null(patched.Title);
        Assert.Null(patched.Tags);
        Assert.Equal(10, patched.Capacity);
    }

    [Fact]
    public void Nested_objects_merge_member_by_member_and_arrays_are_replaced_whole()
    {
        var patched = JsonMergePatch.Apply(
            Current,
            Patch("""{"where": {"city": "Abu Dhabi"}, "tags": ["books"]}"""),
            Options
        );
        Assert.Equal(new Place("Abu Dhabi", "AE"), patched.Where);
        Assert.Equal(["books"], patched.Tags!);

        var cleared = JsonMergePatch.Apply(Current, Patch("""{"where": {"country": null}}"""), Options);
        Assert.Equal(new Place("Dubai", null), cleared.Where);
    }

    [Fact]
    public void Rfc7396_on_documents_removes_null_members_at_every_depth()
    {
        var target = JsonNode.Parse("""{"a": "b", "c": {"d": "e", "f": "g"}}""");
        var patched = JsonMergePatch.Apply(target, JsonNode.Parse("""{"a": "z", "c": {"f": null}}"""));
        Assert.Equal("""{"a":"z","c":{"d":"e"}}""", patched!.ToJsonString());
        Assert.Equal("""{"a":"b","c":{"d":"e","f":"g"}}""", target!.ToJsonString()); // the target is not changed
        Assert.Equal("[1]", JsonMergePatch.Apply(target, JsonNode.Parse("[1]"))!.ToJsonString());
    }

    [Theory]
    [InlineData("""{"status": "published"}""", "status")]
    [InlineData("""{"status": null}""", "status")]
    [InlineData("""{"capacity": "many"}""", "capacity")]
    public void Unknown_members_even_null_and_wrong_types_are_a_400_naming_the_member(string patch, string field)
    {
        var refused = Assert.Throws<RequestValidationException>(() =>
            JsonMergePatch.Apply(Current, Patch(patch), Options)
        );
        Assert.True(refused.Errors.ContainsKey(field), string.Join(", ", refused.Errors.Keys));
    }

    [Fact]
    public void Field_by_field_application_reports_every_wrong_type_once()
    {
        var seen = new Dictionary<string, JsonNode?>();
        var errors = new ValidationErrors();
        var refused = Assert.Throws<RequestValidationException>(() =>
            JsonMergePatch.ApplyMembers(
                Patch("""{"bio": 42, "city": null, "region": "Marina"}"""),
                ["bio", "city", "region"],
                errors,
                (field, node) => seen[field] = node is null ? null : JsonValue.Create(node.GetValue<string>())
            )
        );
        Assert.Equal(["bio has the wrong type."], refused.Errors["bio"]);
        Assert.Single(refused.Errors);
        Assert.Null(seen["city"]);
        Assert.Equal("Marina", seen["region"]!.GetValue<string>());
    }
}
