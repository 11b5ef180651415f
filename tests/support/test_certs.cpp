#include "support/test_certs.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <memory>

namespace iwmo::test {
namespace {

namespace fs = std::filesystem;

struct PkeyFree {
  void operator()(EVP_PKEY* p) const noexcept { EVP_PKEY_free(p); }
};
struct X509Free {
  void operator()(X509* p) const noexcept { X509_free(p); }
};
struct ExtFree {
  void operator()(X509_EXTENSION* p) const noexcept { X509_EXTENSION_free(p); }
};
struct BioFree {
  void operator()(BIO* p) const noexcept { BIO_free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
using X509Ptr = std::unique_ptr<X509, X509Free>;

std::string opensslError() {
  std::string text;
  while (const unsigned long e = ERR_get_error()) {
    char buffer[256];
    ERR_error_string_n(e, buffer, sizeof buffer);
    text += std::string(buffer) + "; ";
  }
  return text.empty() ? "no OpenSSL error queued" : text;
}

#define CHECK_SSL(expr)                                              \
  do {                                                               \
    if (!(expr)) FAIL(#expr " failed: " << opensslError());          \
  } while (false)

PkeyPtr newKey() {
  PkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  CHECK_SSL(key);
  return key;
}

void addName(X509_NAME* name, const char* field, const std::string& value) {
  CHECK_SSL(X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8,
                                       reinterpret_cast<const unsigned char*>(value.c_str()), -1,
                                       -1, 0) == 1);
}

void addExtension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  std::unique_ptr<X509_EXTENSION, ExtFree> ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
  CHECK_SSL(ext);
  CHECK_SSL(X509_add_ext(cert, ext.get(), -1) == 1);
}

std::string subjectOf(X509* cert) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new(BIO_s_mem()));
  CHECK_SSL(bio);
  CHECK_SSL(X509_NAME_print_ex(bio.get(), X509_get_subject_name(cert), 0, XN_FLAG_RFC2253) >= 0);
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(length));
}

enum class Role { Ca, Server, Client };

struct Made {
  PkeyPtr key;
  X509Ptr cert;
};

// A certificate for `common_name` in `role`, signed by `issuer` (nullptr: self-signed).
Made makeCert(Role role, const std::string& common_name, long serial, const Made* issuer,
              long not_before_offset_seconds, long not_after_offset_seconds,
              const char* san = "IP:127.0.0.1,DNS:localhost") {
  Made made{newKey(), X509Ptr(X509_new())};
  X509* cert = made.cert.get();
  CHECK_SSL(cert);
  CHECK_SSL(X509_set_version(cert, 2) == 1);  // v3
  CHECK_SSL(ASN1_INTEGER_set(X509_get_serialNumber(cert), serial) == 1);
  CHECK_SSL(X509_gmtime_adj(X509_getm_notBefore(cert), not_before_offset_seconds));
  CHECK_SSL(X509_gmtime_adj(X509_getm_notAfter(cert), not_after_offset_seconds));
  CHECK_SSL(X509_set_pubkey(cert, made.key.get()) == 1);
  X509_NAME* name = X509_get_subject_name(cert);
  addName(name, "C", "NL");
  addName(name, "O", "iwmo-gateway test");
  addName(name, "serialNumber", "0000000" + std::to_string(1234567890000L + serial));
  addName(name, "CN", common_name);
  X509* issuer_cert = issuer != nullptr ? issuer->cert.get() : cert;
  EVP_PKEY* issuer_key = issuer != nullptr ? issuer->key.get() : made.key.get();
  CHECK_SSL(X509_set_issuer_name(cert, X509_get_subject_name(issuer_cert)) == 1);
  addExtension(cert, issuer_cert, NID_subject_key_identifier, "hash");
  if (issuer != nullptr) addExtension(cert, issuer_cert, NID_authority_key_identifier, "keyid:always");
  switch (role) {
    case Role::Ca:
      addExtension(cert, issuer_cert, NID_basic_constraints, "critical,CA:TRUE");
      addExtension(cert, issuer_cert, NID_key_usage, "critical,keyCertSign,cRLSign");
      break;
    case Role::Server:
      addExtension(cert, issuer_cert, NID_basic_constraints, "critical,CA:FALSE");
      addExtension(cert, issuer_cert, NID_key_usage, "critical,digitalSignature");
      addExtension(cert, issuer_cert, NID_ext_key_usage, "serverAuth");
      addExtension(cert, issuer_cert, NID_subject_alt_name, san);
      break;
    case Role::Client:
      addExtension(cert, issuer_cert, NID_basic_constraints, "critical,CA:FALSE");
      addExtension(cert, issuer_cert, NID_key_usage, "critical,digitalSignature");
      addExtension(cert, issuer_cert, NID_ext_key_usage, "clientAuth");
      break;
  }
  CHECK_SSL(X509_sign(cert, issuer_key, EVP_sha256()) > 0);
  return made;
}

TestCert save(const Made& made, const fs::path& dir, const std::string& stem) {
  TestCert out;
  out.cert = dir / (stem + ".crt");
  out.key = dir / (stem + ".key");
  out.subject = subjectOf(made.cert.get());
  FILE* cert_file = std::fopen(out.cert.c_str(), "wb");
  CHECK_SSL(cert_file != nullptr);
  const int cert_ok = PEM_write_X509(cert_file, made.cert.get());
  std::fclose(cert_file);
  CHECK_SSL(cert_ok == 1);
  FILE* key_file = std::fopen(out.key.c_str(), "wb");
  CHECK_SSL(key_file != nullptr);
  const int key_ok =
      PEM_write_PrivateKey(key_file, made.key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  std::fclose(key_file);
  CHECK_SSL(key_ok == 1);
  fs::permissions(out.key, fs::perms::owner_read | fs::perms::owner_write);
  return out;
}

constexpr long kDay = 24 * 60 * 60;

}  // namespace

TestPki makeTestPki(const fs::path& dir) {
  TestPki pki;
  const Made ca = makeCert(Role::Ca, "iwmo-gateway test CA", 1, nullptr, -kDay, 30 * kDay);
  const Made wrong_ca = makeCert(Role::Ca, "some other CA", 2, nullptr, -kDay, 30 * kDay);
  pki.ca = save(ca, dir, "ca");
  pki.wrong_ca = save(wrong_ca, dir, "wrong-ca");
  pki.server = save(makeCert(Role::Server, "ggk-adapter.test", 10, &ca, -kDay, 30 * kDay), dir,
                    "server");
  pki.client = save(makeCert(Role::Client, "gemeente.test", 11, &ca, -kDay, 30 * kDay), dir,
                    "client");
  pki.expired_client = save(makeCert(Role::Client, "expired.test", 12, &ca, -2 * kDay, -kDay),
                            dir, "expired-client");
  pki.rogue_server = save(makeCert(Role::Server, "ggk-adapter.test", 20, &wrong_ca, -kDay,
                                   30 * kDay),
                          dir, "rogue-server");
  pki.rogue_client = save(makeCert(Role::Client, "gemeente.test", 21, &wrong_ca, -kDay,
                                   30 * kDay),
                          dir, "rogue-client");
  pki.misnamed_server = save(makeCert(Role::Server, "elsewhere.test", 30, &ca, -kDay, 30 * kDay,
                                       "DNS:elsewhere.test"),
                              dir, "misnamed-server");
  return pki;
}

}  // namespace iwmo::test
