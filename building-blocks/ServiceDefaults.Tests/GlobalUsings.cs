global using Community.Testing;
global using Microsoft.Extensions.DependencyInjection;
global using Xunit;
