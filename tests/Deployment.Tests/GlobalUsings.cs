global using System.Text.Json.Nodes;
global using Community.Contracts;
global using Xunit;
