// A throw-away PKI for the mutual-TLS tests, generated at run time with the OpenSSL C API
// (EC P-256 keys, SHA-256 signatures, PEM files in a directory the test owns). Nothing here is a
// fixed key or certificate checked into the repository.
//
//   ca              self-signed test CA
//   server          signed by ca; SAN IP:127.0.0.1 and DNS:localhost; EKU serverAuth
//   client          signed by ca; EKU clientAuth
//   expired_client  signed by ca; valid from 2 days ago until 1 day ago
//   wrong_ca        another self-signed CA
//   rogue_server    signed by wrong_ca, otherwise like server
//   rogue_client    signed by wrong_ca, otherwise like client
//   misnamed_server signed by ca, but its SAN names only DNS:elsewhere.test
// Subjects follow PKIoverheid's shape (C, O, serialNumber = an OIN-like number, CN).
#pragma once

#include <filesystem>
#include <string>

namespace iwmo::test {

struct TestCert {
  std::filesystem::path cert;  // PEM certificate
  std::filesystem::path key;   // PEM private key (unencrypted)
  std::string subject;         // RFC 2253 one-line form, e.g. "CN=...,serialNumber=...,O=...,C=NL"
};

struct TestPki {
  TestCert ca;
  TestCert server;
  TestCert client;
  TestCert expired_client;
  TestCert wrong_ca;
  TestCert rogue_server;
  TestCert rogue_client;
  TestCert misnamed_server;
};

// Generates all of the above into `dir` (which must exist). FAILs the test on any OpenSSL error.
TestPki makeTestPki(const std::filesystem::path& dir);

}  // namespace iwmo::test
