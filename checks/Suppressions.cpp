//===--- Suppressions.cpp - NOLINT comments, as clang-tidy reads them -----===//

#include "Suppressions.h"
#include "Compat.h"

#include "clang-tidy/GlobList.h"

#include <algorithm>
#include <iterator>

namespace clang::tidy::defer_race {

namespace {

enum class Directive { Line, NextLine, Begin, End };

struct Found {
  Directive Kind;
  std::string Checks; ///< empty: every check
  size_t Start;       ///< offset of the directive
  size_t End;         ///< offset just past it
};

/// The NOLINT directive at Text[Pos] (which starts with "NOLINT").
Found parseDirective(llvm::StringRef Text, size_t Pos) {
  Found F{Directive::Line, {}, Pos, Pos + 6};
  llvm::StringRef Rest = Text.substr(F.End);
  for (auto [Word, Kind] :
       {std::pair<llvm::StringRef, Directive>{"NEXTLINE", Directive::NextLine},
        {"BEGIN", Directive::Begin},
        {"END", Directive::End}})
    if (compat::startsWith(Rest, Word)) {
      F.Kind = Kind;
      F.End += Word.size();
      Rest = Rest.substr(Word.size());
      break;
    }
  if (!Rest.empty() && Rest.front() == '(') {
    size_t Close = Rest.find_first_of(")\n");
    if (Close != llvm::StringRef::npos && Rest[Close] == ')') {
      F.Checks = Rest.substr(1, Close - 1).str();
      F.End += Close + 1;
    }
  }
  return F;
}

/// Whether one line of text carries a directive of Kind naming Check.
bool lineSuppresses(llvm::StringRef Line, Directive Kind,
                    llvm::StringRef Check) {
  for (size_t Pos = Line.find("NOLINT"); Pos != llvm::StringRef::npos;
       Pos = Line.find("NOLINT", Pos + 1)) {
    Found F = parseDirective(Line, Pos);
    if (F.Kind == Kind && nolintListNames(F.Checks, Check))
      return true;
  }
  return false;
}

} // namespace

bool nolintListNames(llvm::StringRef List, llvm::StringRef Check) {
  if (List.trim().empty())
    return true;
  // Blanks around the globs do not count, as in clang-tidy.
  std::string Globs;
  llvm::SmallVector<llvm::StringRef, 4> Items;
  List.split(Items, ',');
  for (llvm::StringRef Item : Items)
    Globs += (Globs.empty() ? "" : ",") + Item.trim().str();
  return GlobList(Globs).contains(Check);
}

const std::vector<NolintIndex::Region> &NolintIndex::regionsOf(FileID File) {
  auto [It, Inserted] = Regions.try_emplace(File);
  if (!Inserted)
    return It->second;
  bool Invalid = false;
  llvm::StringRef Text = SM.getBufferData(File, &Invalid);
  if (Invalid)
    return It->second;
  std::vector<Found> Open;
  std::vector<Region> Out;
  for (size_t Pos = Text.find("NOLINT"); Pos != llvm::StringRef::npos;
       Pos = Text.find("NOLINT", Pos + 1)) {
    Found F = parseDirective(Text, Pos);
    if (F.Kind == Directive::Begin) {
      Open.push_back(F);
    } else if (F.Kind == Directive::End) {
      // An END closes the latest BEGIN with the same check list; one that
      // matches none suppresses nothing, as in clang-tidy.
      auto Begin =
          std::find_if(Open.rbegin(), Open.rend(),
                       [&](const Found &B) { return B.Checks == F.Checks; });
      if (Begin != Open.rend()) {
        Out.push_back({static_cast<unsigned>(Begin->Start),
                       static_cast<unsigned>(F.End), Begin->Checks});
        Open.erase(std::next(Begin).base());
      }
    }
  }
  It = Regions.find(File);
  It->second = std::move(Out);
  return It->second;
}

bool NolintIndex::suppressesAt(SourceLocation Loc, llvm::StringRef Check) {
  if (Loc.isInvalid() || !Loc.isFileID())
    return false;
  auto [File, Offset] = SM.getDecomposedLoc(Loc);
  bool Invalid = false;
  llvm::StringRef Text = SM.getBufferData(File, &Invalid);
  if (Invalid || Offset > Text.size())
    return false;
  size_t LineStart = Text.rfind('\n', Offset == 0 ? 0 : Offset - 1);
  LineStart =
      LineStart == llvm::StringRef::npos || Offset == 0 ? 0 : LineStart + 1;
  size_t LineEnd = Text.find('\n', Offset);
  if (LineEnd == llvm::StringRef::npos)
    LineEnd = Text.size();
  if (lineSuppresses(Text.slice(LineStart, LineEnd), Directive::Line, Check))
    return true;
  if (LineStart > 0) {
    size_t PrevStart = Text.rfind('\n', LineStart - 1);
    PrevStart = PrevStart == llvm::StringRef::npos ? 0 : PrevStart + 1;
    if (lineSuppresses(Text.slice(PrevStart, LineStart - 1),
                       Directive::NextLine, Check))
      return true;
  }
  for (const Region &R : regionsOf(File))
    if (R.Begin <= Offset && Offset < R.End && nolintListNames(R.Checks, Check))
      return true;
  return false;
}

bool NolintIndex::suppresses(SourceLocation Loc, llvm::StringRef Check) {
  if (Loc.isInvalid())
    return false;
  if (Loc.isFileID())
    return suppressesAt(Loc, Check);
  // In a macro: the comment may be where the macro is used, or in its body.
  return suppressesAt(SM.getExpansionLoc(Loc), Check) ||
         suppressesAt(SM.getSpellingLoc(Loc), Check);
}

} // namespace clang::tidy::defer_race
