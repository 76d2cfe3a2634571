// S3 XML used to be parsed with string searches: a CompleteMultipartUpload whose ETags
// were written `&#34;…&#34;` (Go's encoding/xml, so rclone) was refused as InvalidPart,
// and a namespace prefix or attributes made a valid body MalformedXML. These are the
// shapes real clients send, parsed by pugixml.
#include "server/api/s3/wire.h"

#include <gtest/gtest.h>

#include <pugixml.hpp>

namespace dcc::server::s3 {
namespace {

using Parts = std::vector<std::pair<int, std::string>>;
const std::string kA = "0cc175b9c0f1b6a831c399e269772661";
const std::string kB = "92eb5ffee6ae2fec3ad71c777531578f";

Parts MustParse(const std::string& xml) {
  auto parts = ParseCompleteParts(xml);
  EXPECT_TRUE(parts.ok()) << parts.status().ToString() << "\n" << xml;
  return parts.ok() ? *parts : Parts{};
}

TEST(S3Wire, CompleteFromBotocore) {  // boto3 and the AWS CLI (botocore's serializer)
  std::string xml =
      "<CompleteMultipartUpload "
      "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Part><ETag>&quot;" +
      kA + "&quot;</ETag><PartNumber>1</PartNumber></Part><Part><ETag>&quot;" + kB +
      "&quot;</ETag><PartNumber>2</PartNumber></Part></CompleteMultipartUpload>";
  EXPECT_EQ(MustParse(xml), (Parts{{1, kA}, {2, kB}}));
}

TEST(S3Wire, CompleteFromGoEncodingXmlIsNotInvalidPart) {  // rclone (aws-sdk-go): &#34; quotes
  std::string xml =
      "<CompleteMultipartUpload "
      "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Part><ETag>&#34;" +
      kA + "&#34;</ETag><PartNumber>1</PartNumber></Part><Part><ETag>&#34;" + kB +
      "&#34;</ETag><PartNumber>2</PartNumber></Part></CompleteMultipartUpload>";
  EXPECT_EQ(MustParse(xml), (Parts{{1, kA}, {2, kB}}));
}

TEST(S3Wire, CompleteWithDeclarationWhitespaceAndNoNamespace) {  // hand-written, the S3 docs' shape
  std::string xml =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CompleteMultipartUpload>\n  <Part>\n"
      "    <PartNumber> 1 </PartNumber>\n    <ETag>\"" +
      kA.substr(0, 16) + "ABCDEF0123456789" + "\"</ETag>\n  </Part>\n</CompleteMultipartUpload>\n";
  EXPECT_EQ(MustParse(xml), (Parts{{1, kA.substr(0, 16) + "abcdef0123456789"}}));
}

TEST(S3Wire, CompletePrefixedNamespaceChecksumsAndCdata) {
  std::string xml =
      "<s3:CompleteMultipartUpload xmlns:s3=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
      "<s3:Part><s3:PartNumber>3</s3:PartNumber><s3:ChecksumCRC32>AAAAAA==</s3:ChecksumCRC32>"
      "<s3:ETag><![CDATA[\"" +
      kB + "\"]]></s3:ETag></s3:Part></s3:CompleteMultipartUpload>";
  EXPECT_EQ(MustParse(xml), (Parts{{3, kB}}));
}

TEST(S3Wire, CompleteUnquotedEtagAndUnknownElements) {
  std::string xml =
      "<CompleteMultipartUpload><Comment>x</Comment><Part><PartNumber>7</PartNumber><ETag>" + kA +
      "</ETag></Part></CompleteMultipartUpload>";
  EXPECT_EQ(MustParse(xml), (Parts{{7, kA}}));
}

TEST(S3Wire, MalformedXmlIsMalformedXml) {
  for (const std::string& bad :
       {std::string(""), std::string("<CompleteMultipartUpload><Part>"),
        std::string("<CompleteMultipartUpload></CompleteMultipartUpload>"),
        std::string("<Other><Part><PartNumber>1</PartNumber><ETag>x</ETag></Part></Other>"),
        std::string("<CompleteMultipartUpload><Part><PartNumber>1</PartNumber></Part></"
                    "CompleteMultipartUpload>"),
        std::string(
            "<CompleteMultipartUpload><Part><PartNumber>-1</PartNumber><ETag>x</ETag></Part>"
            "</CompleteMultipartUpload>"),
        std::string(
            "<CompleteMultipartUpload><Part><PartNumber>123456</PartNumber><ETag>x</ETag></Part>"
            "</CompleteMultipartUpload>"),
        std::string(
            "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>x</ETag></Part>"),
        std::string("<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>x</ETag></"
                    "Part></Wrong>")}) {
    auto parts = ParseCompleteParts(bad);
    ASSERT_FALSE(parts.ok()) << bad;
    EXPECT_EQ(parts.status().code(), Status::Code::kInvalidArgument) << bad;
    EXPECT_EQ(parts.status().where(), "s3:MalformedXML") << bad;
  }
}

TEST(S3Wire, DoctypeEntitiesAreNotExpanded) {  // no billion laughs
  std::string xml =
      "<!DOCTYPE x [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">]>"
      "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>&b;</ETag></Part>"
      "</CompleteMultipartUpload>";
  auto parts = ParseCompleteParts(xml);
  if (parts.ok()) {
    EXPECT_EQ(parts->at(0).second.find("aaaa"), std::string::npos);
  }
}

TEST(S3Wire, RepliesAreWellFormedAndEscaped) {
  XmlElement root("CompleteMultipartUploadResult");
  root.Add("Key", "a&b<c>\"d\x01");
  root.Add("ETag", "\"" + kA + "-2\"");
  std::string xml = RenderXml(root);
  EXPECT_EQ(xml.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>", 0), 0u) << xml;
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(xml.c_str())) << xml;
  pugi::xml_node r = doc.document_element();
  EXPECT_STREQ(r.attribute("xmlns").value(), kS3Namespace);
  EXPECT_STREQ(r.child("Key").text().get(), "a&b<c>\"d?");
  EXPECT_EQ(std::string(r.child("ETag").text().get()), "\"" + kA + "-2\"");
}

TEST(S3Wire, ErrorsCarryCodeAndNoNamespace) {
  HttpRequest req;
  req.path = "/b/k<1>";
  req.request_id = "7";
  HttpResponse r = RenderError(Status::InvalidArgument("bad <xml>", "s3:MalformedXML"), req);
  EXPECT_EQ(r.status, 400);
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(r.body.c_str())) << r.body;
  EXPECT_STREQ(doc.child("Error").child("Code").text().get(), "MalformedXML");
  EXPECT_STREQ(doc.child("Error").child("Message").text().get(), "bad <xml>");
  EXPECT_STREQ(doc.child("Error").child("Resource").text().get(), "/b/k<1>");
  EXPECT_TRUE(doc.child("Error").attribute("xmlns").empty());
  EXPECT_EQ(RenderError(Status::Conflict("mine", "s3:BucketAlreadyOwnedByYou"), req).status, 409);
}

}  // namespace
}  // namespace dcc::server::s3
