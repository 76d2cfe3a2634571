// PlanControlledBy: eu_add_controlled_by's positional replicate matching (the seed, §2.2).
#include "dcc/experiments.h"

#include <gtest/gtest.h>

namespace dcc {
namespace {

FastqFile Fq(const std::string& id, int bio, int tech, int read = 1) {
  FastqFile f;
  f.id = id;
  f.name = id;
  f.biological_replicate = bio;
  f.technical_replicate = tech;
  f.read = read;
  return f;
}

TEST(PlanControlledBy, MatchesBiologicalReplicatesByPositionNotNumber) {
  // Experiment replicates 1 and 2; the control's are numbered 2 and 4.
  std::vector<FastqFile> exp = {Fq("e1", 1, 1), Fq("e2", 2, 1)};
  std::vector<FastqFile> ctl = {Fq("c4", 4, 1), Fq("c2", 2, 1)};
  auto plan = PlanControlledBy(exp, {ctl}, {"ctl"});
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  ASSERT_EQ(plan->size(), 2u);
  EXPECT_EQ((*plan)[0].file, "e1");
  EXPECT_EQ((*plan)[0].controls, std::vector<std::string>{"c2"});
  EXPECT_EQ((*plan)[1].controls, std::vector<std::string>{"c4"});
}

TEST(PlanControlledBy, EveryTechnicalReplicateOfEveryControlSameRead) {
  std::vector<FastqFile> exp = {Fq("e1r1", 1, 1, 1), Fq("e1r2", 1, 1, 2)};
  std::vector<FastqFile> a = {Fq("a1", 1, 1, 1), Fq("a2", 1, 1, 2), Fq("a3", 1, 2, 1)};
  std::vector<FastqFile> b = {Fq("b1", 5, 1, 1), Fq("b2", 5, 1, 2)};
  auto plan = PlanControlledBy(exp, {a, b}, {"a", "b"});
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_EQ((*plan)[0].controls, (std::vector<std::string>{"a1", "a3", "b1"}));
  EXPECT_EQ((*plan)[1].controls, (std::vector<std::string>{"a2", "b2"}));
}

TEST(PlanControlledBy, RefusesMismatchedReplicateCounts) {
  std::vector<FastqFile> exp = {Fq("e1", 1, 1), Fq("e2", 2, 1)};
  auto plan = PlanControlledBy(exp, {{Fq("c1", 1, 1)}}, {"ctl"});
  ASSERT_FALSE(plan.ok());
  EXPECT_NE(plan.status().message().find("the experiment has 2 biological replicate(s)"), std::string::npos);
  plan = PlanControlledBy(exp, {{Fq("a1", 1, 1), Fq("a2", 2, 1)}, {Fq("b1", 1, 1)}}, {"a", "b"});
  ASSERT_FALSE(plan.ok());
  EXPECT_NE(plan.status().message().find("different numbers of biological replicates (a: 2, b: 1)"), std::string::npos);
  EXPECT_FALSE(PlanControlledBy(exp, {}, {}).ok());
}

TEST(PlanControlledBy, RefusesAMissingReadInsteadOfGuessing) {
  auto plan = PlanControlledBy({Fq("e1", 1, 1, 2)}, {{Fq("c1", 1, 1, 1)}}, {"ctl"});
  ASSERT_FALSE(plan.ok());
  EXPECT_NE(plan.status().message().find("has no read 2 FASTQ for e1"), std::string::npos);
}

}  // namespace
}  // namespace dcc
