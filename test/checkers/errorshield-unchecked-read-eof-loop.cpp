// RUN: %strip_checks %s > %t.cpp
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-unchecked-read' -- -std=c++20 \
// RUN:   | FileCheck %s --check-prefix=CHECK-MESSAGES --implicit-check-not='{{warning|error|note}}:'
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-unchecked-read' \
// RUN:   --config="{CheckOptions: {errorshield-unchecked-read.IstreamReadMethods: 'read', errorshield-unchecked-read.IstreamBufferReads: 'readsome'}}" -- -std=c++20 \
// RUN:   | FileCheck %s --check-prefix=CHECK-READONLY --implicit-check-not='{{warning|error|note}}:'

// The end-of-file loop over real <fstream>/<istream>: eof() is asked before the read, so the read
// that reaches the end fails and the body goes on with the previous iteration's data.

#include <fstream>
#include <istream>
#include <sstream>
#include <string>
#include <vector>

struct Record {
  char payload[64];
};

std::vector<Record> load_spool(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<Record> out;
  Record rec{};
  while (!in.eof()) {
    in.read(reinterpret_cast<char *>(&rec), sizeof rec);
// CHECK-MESSAGES: :[[@LINE-1]]:8: warning: read of 'in' in a loop that tests eof() before reading: the read that reaches the end fails, and the loop goes on with the previous data [ES-IO-001] [errorshield-unchecked-read]
// CHECK-READONLY: :[[@LINE-2]]:8: warning: read of 'in' in a loop
    out.push_back(rec);
  }
  return out;
}

std::vector<std::string> load_lines(std::istream &in) {
  std::vector<std::string> lines;
  std::string line;
  for (; !in.eof();) {
    std::getline(in, line);
// CHECK-MESSAGES: :[[@LINE-1]]:5: warning: read of 'in' in a loop that tests eof() before reading: the read that reaches the end fails, and the loop goes on with the previous data [ES-IO-001] [errorshield-unchecked-read]
    lines.push_back(line);
  }
  return lines;
}

// Correct: the read's own result, or the stream after the read, decides.
std::vector<Record> load_checked(std::ifstream &in) {
  std::vector<Record> out;
  Record rec{};
  while (in.read(reinterpret_cast<char *>(&rec), sizeof rec))
    out.push_back(rec);
  while (!in.eof()) {
    in.read(reinterpret_cast<char *>(&rec), sizeof rec);
    if (in.gcount() != sizeof rec)
      break;
    out.push_back(rec);
  }
  while (!in.eof()) {
    std::string word;
    in >> word;
    if (!in)
      break;
  }
  return out;
}

// An endless loop that leaves only on the data read: at the end the read fails and the last
// record stays in the buffer, so the loop never ends.
std::vector<std::string> load_fixed(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<std::string> out;
  char rec[64] = {};
  for (;;) {
    in.read(rec, sizeof rec);
// CHECK-MESSAGES: :[[@LINE-1]]:8: warning: read of 'in' in an endless loop that never tests the stream: at the end every read fails, and the loop goes on with the previous data [ES-IO-001] [errorshield-unchecked-read]
// CHECK-READONLY: :[[@LINE-2]]:8: warning: read of 'in' in an endless loop that never tests the stream: at the end every read fails, and the loop goes on with the previous data [ES-IO-001] [errorshield-unchecked-read]
    if (rec[0] == '\x04')
      break;
    out.emplace_back(rec, sizeof rec);
  }
  while (true) {
    in.read(rec, sizeof rec);
    if (!in) // tested: leaves at the end
      break;
    out.emplace_back(rec, sizeof rec);
  }
  return out;
}

// std::getline in an endless loop that leaves only on the line read.
std::vector<std::string> load_groups(std::istream &in) {
  std::vector<std::string> lines;
  std::string line;
  for (;;) {
    std::getline(in, line);
// CHECK-MESSAGES: :[[@LINE-1]]:5: warning: read of 'in' in an endless loop that never tests the stream: at the end every read fails, and the loop goes on with the previous data [ES-IO-001] [errorshield-unchecked-read]
    if (line == "END")
      break;
    lines.push_back(line);
  }
  for (;;) {
    std::getline(in, line);
    if (!in || line == "END") // tested
      break;
    lines.push_back(line);
  }
  return lines;
}

// A stream made afresh in each iteration takes no end of input into the next one: the loop is fed
// (and left) by the call that fills the text, judged on its own.
bool next_frame(std::string &text);
std::vector<std::string> split_frames() {
  std::vector<std::string> fields;
  std::string text;
  for (;;) {
    if (!next_frame(text))
      break;
    std::istringstream frame(text);
    std::string field;
    std::getline(frame, field, ';');
    fields.push_back(field);
  }
  return fields;
}

// `in >> a >> b` reads `in` through its first read: the chain is the loop's read.
struct Station {
  std::string code;
  double lat, lon;
};
std::vector<Station> load_stations(const std::string &path) {
  std::ifstream meta(path);
  std::vector<Station> stations;
  std::string code;
  double lat = 0, lon = 0;
  while (!meta.eof()) {
    meta >> code >> lat >> lon;
// CHECK-MESSAGES: :[[@LINE-1]]:25: warning: read of 'meta' in a loop that tests eof() before reading: the read that reaches the end fails, and the loop goes on with the previous data [ES-IO-001] [errorshield-unchecked-read]
    stations.push_back({code, lat, lon});
  }
  return stations;
}

// A buffer filled by in.read() is only as good as the stream's state after it: used before any
// test, a short file leaves it partly unfilled. (IstreamBufferReads, independent of the loops.)
struct RecordHeader {
  unsigned sample_count;
  unsigned rate;
};
std::vector<int> read_samples(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  RecordHeader header;
  in.read(reinterpret_cast<char *>(&header), sizeof header);
// CHECK-MESSAGES: :[[@LINE-1]]:6: warning: 'read' of 'in' is not tested before 'header' is used: a short or failed read leaves it partly unfilled [ES-IO-001] [errorshield-unchecked-read]
// (READONLY: IstreamBufferReads is 'readsome' there, so these two are not reported.)
  std::vector<int> samples(header.sample_count);
  if (!in.read(reinterpret_cast<char *>(samples.data()), samples.size() * sizeof(int)))
    samples.clear();
  return samples;
}

unsigned short read_be16(std::istream &in) {
  unsigned char b[2] = {0, 0};
  in.read(reinterpret_cast<char *>(b), 2);
// CHECK-MESSAGES: :[[@LINE-1]]:6: warning: 'read' of 'in' is not tested before 'b' is used: a short or failed read leaves it partly unfilled [ES-IO-001] [errorshield-unchecked-read]
//
  return static_cast<unsigned short>((b[0] << 8) | b[1]);
}

// Quiet: the stream tested before the buffer is used (gcount(), !in after a second read), a
// stream that throws on failure, a buffer this function never uses.
unsigned short read_be16_counted(std::istream &in) {
  unsigned char b[2] = {0, 0};
  in.read(reinterpret_cast<char *>(b), 2);
  if (in.gcount() != 2)
    return 0;
  return static_cast<unsigned short>((b[0] << 8) | b[1]);
}
bool read_pair(std::istream &in, RecordHeader &first, RecordHeader &second) {
  in.read(reinterpret_cast<char *>(&first), sizeof first);
  in.read(reinterpret_cast<char *>(&second), sizeof second);
  return static_cast<bool>(in) && first.rate == second.rate;
}
unsigned read_rate_throwing(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  in.exceptions(std::ios::failbit | std::ios::badbit);
  RecordHeader header;
  in.read(reinterpret_cast<char *>(&header), sizeof header);
  return header.rate;
}
void skip_padding(std::istream &in) {
  char pad[4];
  in.read(pad, sizeof pad);
}
