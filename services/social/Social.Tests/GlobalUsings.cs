global using Community.Contracts;
global using Community.Contracts.Identity;
global using Community.Contracts.Social;
global using Community.Testing;
global using Xunit;
