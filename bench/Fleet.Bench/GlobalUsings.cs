global using System.Globalization;
global using Community.Testing;
