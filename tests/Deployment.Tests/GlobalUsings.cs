global using System.Text.Json.Nodes;
global using Community.Contracts;
global using Community.ServiceDefaults.Blobs;
global using Xunit;
