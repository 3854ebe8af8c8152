global using System.Text.Json.Nodes;
global using Community.Contracts;
global using Community.Contracts.Identity;
global using Community.Testing;
global using Microsoft.Extensions.DependencyInjection;
global using Xunit;
