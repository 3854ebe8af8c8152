#!/usr/bin/env bash
# Adds a new Data Protection key to a key ring directory (creating it), for deployments whose key
# ring is read-only (a Kubernetes Secret, DataProtection__GenerateKeys=false): the services encrypt
# the secrets they keep in their databases with it. Keep every older key file next to the new one:
# data encrypted with an older key is read with that key. Needs openssl.
#   bash scripts/new-key-ring.sh <directory> [days valid, default 730]
set -euo pipefail
dir=${1:?usage: scripts/new-key-ring.sh <directory> [days valid]}
days=${2:-730}
mkdir -p "$dir"
hex=$(openssl rand -hex 16)
id="${hex:0:8}-${hex:8:4}-4${hex:13:3}-a${hex:17:3}-${hex:20:12}"
now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
expires=$(date -u -d "+${days} days" +%Y-%m-%dT%H:%M:%SZ)
umask 077
# The format ASP.NET Core Data Protection writes itself (AES-256-CBC + HMACSHA256, 512-bit master key).
cat > "$dir/key-$id.xml" <<XML
<?xml version="1.0" encoding="utf-8"?>
<key id="$id" version="1">
  <creationDate>$now</creationDate>
  <activationDate>$now</activationDate>
  <expirationDate>$expires</expirationDate>
  <descriptor deserializerType="Microsoft.AspNetCore.DataProtection.AuthenticatedEncryption.ConfigurationModel.AuthenticatedEncryptorDescriptorDeserializer, Microsoft.AspNetCore.DataProtection, Version=10.0.0.0, Culture=neutral, PublicKeyToken=adb9793829ddae60">
    <descriptor>
      <encryption algorithm="AES_256_CBC" />
      <validation algorithm="HMACSHA256" />
      <masterKey p4:requiresEncryption="true" xmlns:p4="http://schemas.asp.net/2015/03/dataProtection">
        <value>$(openssl rand -base64 64 | tr -d '\n')</value>
      </masterKey>
    </descriptor>
  </descriptor>
</key>
XML
echo "$dir/key-$id.xml"
