using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using NJsonSchema.CodeGeneration.CSharp;
using NSwag.CodeGeneration.CSharp;
using NSwag.CodeGeneration.OperationNameGenerators;
using Xunit.Abstractions;

namespace Community.SystemTests;

/// <summary>
/// What other tools make of the committed contract (clients/typescript/contract, which ClientContractTests keeps equal
/// to what the platform serves): Redocly's recommended lint rules, the AsyncAPI parser, and a C# client by NSwag that
/// must compile as generated.
/// </summary>
public sealed class ClientContractCheckTests(ITestOutputHelper output)
{
    private static readonly string Contract = Path.Combine(ClientSdk.Folder, "contract");

    public static TheoryData<string> Services => [.. ResourceNames.Services];

    [Fact]
    public async Task Every_served_OpenAPI_document_passes_redocly_lint_with_the_recommended_rules()
    {
        await ClientSdk.EnsureInstalledAsync();
        // Rules and the exceptions decided per rule: clients/typescript/redocly.yaml and .redocly.lint-ignore.yaml.
        var (code, lint) = await ClientSdk.RunAsync(
            "node",
            [
                "node_modules/@redocly/cli/bin/cli.js",
                "lint",
                "--format=stylish",
                .. ResourceNames.Services.Select(s => $"contract/{s}.openapi.json"),
            ],
            new() { ["REDOCLY_TELEMETRY"] = "off", ["REDOCLY_SUPPRESS_UPDATE_NOTICE"] = "true" }
        );
        output.WriteLine(lint);
        Assert.True(code == 0, $"redocly lint found errors in the served OpenAPI documents:\n{lint}");
    }

    [Fact]
    public async Task The_hub_AsyncAPI_document_is_valid()
    {
        await ClientSdk.EnsureInstalledAsync();
        var (code, diagnostics) = await ClientSdk.RunAsync(
            "node",
            ["scripts/validate-asyncapi.mjs", "contract/messaging.asyncapi.json"]
        );
        output.WriteLine(diagnostics);
        Assert.True(code == 0, $"contract/messaging.asyncapi.json is not valid AsyncAPI:\n{diagnostics}");
    }

    [Theory]
    [MemberData(nameof(Services))]
    public async Task A_CSharp_client_generated_by_NSwag_compiles(string service)
    {
        var document = await NSwag.OpenApiDocument.FromFileAsync(Path.Combine(Contract, $"{service}.openapi.json"));
        var name = string.Concat(service.Split('-').Select(part => char.ToUpperInvariant(part[0]) + part[1..]));
        var generator = new CSharpClientGenerator(
            document,
            new CSharpClientGeneratorSettings
            {
                ClassName = $"{name}Client",
                OperationNameGenerator = new SingleClientFromOperationIdOperationNameGenerator(),
                GenerateClientClasses = true,
                GenerateExceptionClasses = true,
                CSharpGeneratorSettings =
                {
                    Namespace = $"Community.Clients.{name}",
                    JsonLibrary = CSharpJsonLibrary.SystemTextJson,
                },
            }
        );
        var code = generator.GenerateFile();

        var compilation = CSharpCompilation.Create(
            $"Community.Clients.{name}",
            [CSharpSyntaxTree.ParseText(code, new CSharpParseOptions(LanguageVersion.Latest))],
            ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
                .Split(Path.PathSeparator)
                .Select(p => MetadataReference.CreateFromFile(p)),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary)
        );
        var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        var lines = code.Split('\n');
        Assert.True(
            errors.Count == 0,
            $"NSwag's C# client of {service} does not compile ({errors.Count} errors):\n"
                + string.Join(
                    "\n",
                    errors
                        .Take(30)
                        .Select(e => $"{e}\n    {lines[e.Location.GetLineSpan().StartLinePosition.Line].Trim()}")
                )
        );
    }
}
