global using Community.Testing;
