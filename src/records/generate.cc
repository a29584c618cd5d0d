// The synthetic city: persons, plate reads and warrants for demos and
// benchmarks. Every value comes from a SplitMix64 stream seeded from
// GenerateOptions::seed (one stream per dataset, so changing one count does
// not change the others' records), never from the clock.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "records/import.h"
#include "records/store_internal.h"

namespace haven::records {
namespace {

// SplitMix64 (Steele, Lea and Flood, "Fast splittable pseudorandom number
// generators", 2014): small, fast, and the same on every platform.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n), by multiply-high (Lemire); n > 0.
  uint64_t Below(uint64_t n) {
    return static_cast<uint64_t>((static_cast<unsigned __int128>(Next()) * n) >>
                                 64);
  }
  // True with probability per_mille / 1000.
  bool Chance(int per_mille) { return Below(1000) < uint64_t(per_mille); }
  double Between(double lo, double hi) {
    return lo + (hi - lo) * (Next() >> 11) * 0x1.0p-53;
  }
  template <typename T, size_t N>
  const T& Pick(const T (&list)[N]) {
    return list[Below(N)];
  }

 private:
  uint64_t state_;
};

constexpr const char* kLastNames[] = {
    "SMITH",        "JOHNSON",  "WILLIAMS",   "BROWN",      "JONES",
    "GARCIA",       "MILLER",   "DAVIS",      "RODRIGUEZ",  "MARTINEZ",
    "HERNANDEZ",    "LOPEZ",    "GONZALEZ",   "WILSON",     "ANDERSON",
    "THOMAS",       "TAYLOR",   "MOORE",      "JACKSON",    "MARTIN",
    "LEE",          "PEREZ",    "THOMPSON",   "WHITE",      "HARRIS",
    "SANCHEZ",      "CLARK",    "RAMIREZ",    "LEWIS",      "ROBINSON",
    "WALKER",       "YOUNG",    "ALLEN",      "KING",       "WRIGHT",
    "SCOTT",        "TORRES",   "NGUYEN",     "HILL",       "FLORES",
    "GREEN",        "ADAMS",    "NELSON",     "BAKER",      "HALL",
    "RIVERA",       "CAMPBELL", "MITCHELL",   "CARTER",     "ROBERTS",
    "KOWALSKI",     "NOWAK",    "WISNIEWSKI", "WOJCIK",     "KOWALCZYK",
    "MAZUR",        "PATEL",    "SHAH",       "KHAN",       "AHMED",
    "KIM",          "PARK",     "CHEN",       "WANG",       "LI",
    "OKAFOR",       "ADEYEMI",  "MENSAH",     "WASHINGTON", "JEFFERSON",
    "BANKS",        "COLEMAN",  "SIMMONS",    "BRYANT",     "HAYES",
    "CASTILLO",     "MORALES",  "ORTIZ",      "GUTIERREZ",  "CHAVEZ",
    "RAMOS",        "REYES",    "CRUZ",       "MENDOZA",    "VARGAS",
    "DELGADO",      "AGUILAR",  "SALAZAR",    "O'BRIEN",    "MURPHY",
    "SULLIVAN",     "KELLY",    "RUSSO",      "ROMANO",     "COSTA",
    "PAPADOPOULOS", "IVANOV",   "HASSAN",     "ALI",        "SANTOS",
};
constexpr const char* kFemaleNames[] = {
    "MARIA",     "JENNIFER",  "PATRICIA", "LINDA",   "ELIZABETH", "BARBARA",
    "SUSAN",     "JESSICA",   "SARAH",    "KAREN",   "NANCY",     "LISA",
    "GUADALUPE", "ROSA",      "ANA",      "CARMEN",  "SOFIA",     "ISABEL",
    "KEISHA",    "TAMIKA",    "AALIYAH",  "JASMINE", "DESTINY",   "ANNA",
    "KATARZYNA", "AGNIESZKA", "PRIYA",    "FATIMA",  "AISHA",     "MEI",
    "EMILY",     "OLIVIA",    "EMMA",     "MADISON", "ASHLEY",    "BRITTANY",
    "VERONICA",  "LETICIA",   "YOLANDA",  "DIANA",
};
constexpr const char* kMaleNames[] = {
    "JAMES",   "ROBERT",    "JOHN",      "MICHAEL", "DAVID",    "WILLIAM",
    "RICHARD", "JOSEPH",    "THOMAS",    "CHARLES", "JOSE",     "JUAN",
    "LUIS",    "CARLOS",    "JESUS",     "MIGUEL",  "ANTONIO",  "FRANCISCO",
    "DARNELL", "DESHAWN",   "TYRONE",    "MARCUS",  "ANDRE",    "JAMAL",
    "PIOTR",   "TOMASZ",    "KRZYSZTOF", "RAJ",     "MOHAMMED", "OMAR",
    "WEI",     "MINH",      "DANIEL",    "MATTHEW", "ANTHONY",  "KEVIN",
    "BRIAN",   "ALEJANDRO", "EDUARDO",   "RAFAEL",
};
constexpr const char* kStreets[] = {
    "N CLARK ST",          "N HALSTED ST",   "S HALSTED ST",
    "W MADISON ST",        "W CHICAGO AVE",  "W NORTH AVE",
    "W FULLERTON AVE",     "W BELMONT AVE",  "W IRVING PARK RD",
    "W LAWRENCE AVE",      "W DEVON AVE",    "N MILWAUKEE AVE",
    "N ASHLAND AVE",       "S ASHLAND AVE",  "S WESTERN AVE",
    "N WESTERN AVE",       "S KEDZIE AVE",   "N KEDZIE AVE",
    "S PULASKI RD",        "N PULASKI RD",   "S CICERO AVE",
    "W 26TH ST",           "W CERMAK RD",    "W 47TH ST",
    "W 63RD ST",           "E 79TH ST",      "S STATE ST",
    "S COTTAGE GROVE AVE", "S KING DR",      "E 87TH ST",
    "S ARCHER AVE",        "W ROOSEVELT RD", "N BROADWAY",
    "N SHERIDAN RD",       "W ADDISON ST",   "N LINCOLN AVE",
    "S PULASKI RD",        "W 111TH ST",     "S HOMAN AVE",
    "W DIVISION ST",
};
constexpr const char* kZips[] = {
    "60601", "60605", "60607", "60608", "60609", "60610", "60612", "60613",
    "60614", "60615", "60616", "60617", "60618", "60619", "60620", "60621",
    "60622", "60623", "60624", "60625", "60626", "60628", "60629", "60630",
    "60632", "60634", "60636", "60637", "60639", "60640", "60641", "60643",
    "60644", "60645", "60647", "60649", "60651", "60652", "60653", "60657",
};
// Place of birth and the matching nationality.
constexpr const char* kBirthplaces[][2] = {
    {"MEXICO CITY, MEXICO", "MEXICAN"},
    {"GUADALAJARA, JALISCO, MEXICO", "MEXICAN"},
    {"MORELIA, MICHOACAN, MEXICO", "MEXICAN"},
    {"SAN SALVADOR, EL SALVADOR", "SALVADORAN"},
    {"GUATEMALA CITY, GUATEMALA", "GUATEMALAN"},
    {"TEGUCIGALPA, HONDURAS", "HONDURAN"},
    {"CARACAS, VENEZUELA", "VENEZUELAN"},
    {"WARSAW, POLAND", "POLISH"},
    {"MANILA, PHILIPPINES", "FILIPINO"},
    {"LAGOS, NIGERIA", "NIGERIAN"},
    {"KARACHI, PAKISTAN", "PAKISTANI"},
    {"AHMEDABAD, INDIA", "INDIAN"},
    {"KYIV, UKRAINE", "UKRAINIAN"},
    {"SEOUL, SOUTH KOREA", "SOUTH KOREAN"},
    {"CHICAGO, ILLINOIS, USA", "UNITED STATES"},
};
constexpr const char* kPlateStates[] = {"IL", "IL", "IL", "IL", "IL", "IL",
                                        "IL", "IL", "IL", "IL", "IL", "IN",
                                        "IN", "WI", "MI", "IA"};
constexpr const char* kJudges[] = {
    "HON. A. RIVERA", "HON. M. O'CONNELL", "HON. L. WASHINGTON",
    "HON. K. NOWAK",  "HON. D. CHEN",      "HON. R. GUTIERREZ",
    "HON. S. PATEL",  "HON. J. MURPHY",    "HON. T. COLEMAN",
    "HON. E. ROMANO",
};
constexpr const char* kOffenses[] = {
    "AGGRAVATED BATTERY",
    "ARMED ROBBERY",
    "BURGLARY",
    "RESIDENTIAL BURGLARY",
    "RETAIL THEFT",
    "MOTOR VEHICLE THEFT",
    "AGGRAVATED DUI",
    "DOMESTIC BATTERY",
    "UNLAWFUL USE OF A WEAPON",
    "POSSESSION OF A CONTROLLED SUBSTANCE",
    "CRIMINAL DAMAGE TO PROPERTY",
    "FAILURE TO APPEAR",
    "VIOLATION OF AN ORDER OF PROTECTION",
    "IDENTITY THEFT",
    "AGGRAVATED ASSAULT",
    "HOME INVASION",
};

constexpr int kCameras = 400;
constexpr int kMariaReads = 12;

// Days since 1970-01-01 for a civil date, and back.
int64_t DaysFrom(int y, unsigned m, unsigned d) {
  using namespace std::chrono;
  return sys_days{year{y} / month{m} / day{d}}.time_since_epoch().count();
}

std::string IsoDate(int64_t days) {
  using namespace std::chrono;
  year_month_day ymd{sys_days{std::chrono::days{days}}};
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", int(ymd.year()),
                unsigned(ymd.month()), unsigned(ymd.day()));
  return buf;
}

// Seconds since the epoch to "YYYY-MM-DDThh:mm:ssZ", into `out`.
void IsoUtc(int64_t seconds, std::string* out) {
  int64_t days = seconds / 86400, rest = seconds % 86400;
  using namespace std::chrono;
  year_month_day ymd{sys_days{std::chrono::days{days}}};
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02dZ",
                int(ymd.year()), unsigned(ymd.month()), unsigned(ymd.day()),
                int(rest / 3600), int(rest / 60 % 60), int(rest % 60));
  out->assign(buf);
}

std::string Id(char prefix, int64_t n, int width) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%c%0*lld", prefix, width,
                static_cast<long long>(n));
  return buf;
}

// An Illinois-style plate: one to three letters, then digits, seven in all.
std::string RandomPlate(Rng& rng) {
  std::string p;
  int letters = 1 + static_cast<int>(rng.Below(3));
  for (int i = 0; i < 7; ++i) {
    p.push_back(i < letters ? char('A' + rng.Below(26))
                            : char('0' + rng.Below(10)));
  }
  return p;
}

struct Name {
  std::string last, first, dob;
};

FieldValue Str(std::string s) { return FieldValue(std::move(s)); }

Status GeneratePersons(
    internal::Writer& w, const GenerateOptions& o, std::vector<Name>* names,
    std::vector<std::pair<std::string, std::string>>* plates) {
  Rng rng(o.seed * 0x100000001b3ULL + 1);
  const int64_t lo = DaysFrom(1945, 1, 1), hi = DaysFrom(2006, 12, 31);
  Record r;
  for (int64_t i = 1; i <= o.persons; ++i) {
    r.id = Id('P', i, 7);
    r.values.assign(SchemaOf(Dataset::kPersons).fields.size(),
                    std::monostate{});
    r.values[0] = r.id;
    if (i == 1) {
      r.values[1] = Str("LOPEZ");
      r.values[2] = Str("MARIA");
      r.values[3] = Str("1990-04-12");
      r.values[4] = Str("F");
      r.values[5] = Str("2417 S KEDZIE AVE, CHICAGO, IL 60623");
      r.values[6] = Str(std::string(kMariaLopezPlate));
      r.values[7] = Str("MORELIA, MICHOACAN, MEXICO");
      r.values[8] = Str("MEXICAN");
      plates->emplace_back(std::string(kMariaLopezPlate), "IL");
    } else {
      bool female = rng.Chance(500);
      r.values[1] = Str(rng.Pick(kLastNames));
      r.values[2] = Str(female ? rng.Pick(kFemaleNames) : rng.Pick(kMaleNames));
      r.values[3] = Str(IsoDate(lo + int64_t(rng.Below(hi - lo + 1))));
      r.values[4] = Str(female ? "F" : "M");
      char addr[96];
      std::snprintf(addr, sizeof addr, "%d %s, CHICAGO, IL %s",
                    int(100 + rng.Below(120) * 100 + rng.Below(60)),
                    rng.Pick(kStreets), rng.Pick(kZips));
      r.values[5] = Str(addr);
      if (rng.Chance(333)) {
        std::string plate = RandomPlate(rng);
        r.values[6] = Str(plate);
        plates->emplace_back(std::move(plate), "IL");
      }
      if (rng.Chance(40)) {
        const auto& bp = rng.Pick(kBirthplaces);
        r.values[7] = Str(bp[0]);
        r.values[8] = Str(bp[1]);
      }
      if (rng.Chance(15)) {
        r.values[9] = Str("DESIGNATED (SYNTHETIC FACTION " +
                          std::to_string(1 + rng.Below(24)) + ")");
      }
    }
    names->push_back({std::get<std::string>(r.values[1]),
                      std::get<std::string>(r.values[2]),
                      std::get<std::string>(r.values[3])});
    HAVEN_RETURN_IF_ERROR(w.Insert(Dataset::kPersons, r));
  }
  return Status::Ok();
}

Status GeneratePlateReads(
    internal::Writer& w, const GenerateOptions& o,
    std::vector<std::pair<std::string, std::string>> pool) {
  Rng rng(o.seed * 0x100000001b3ULL + 2);
  // The pool: vehicles' and persons' plates, filled up with random ones to
  // about 50 reads a plate; then sorted, without repeats (the first wins).
  const size_t want =
      static_cast<size_t>(std::max<int64_t>(1000, o.plate_reads / 50));
  while (pool.size() < want)
    pool.emplace_back(RandomPlate(rng), rng.Pick(kPlateStates));
  std::stable_sort(pool.begin(), pool.end(), [](const auto& a, const auto& b) {
    return a.first < b.first;
  });
  pool.erase(std::unique(pool.begin(), pool.end(),
                         [](const auto& a, const auto& b) {
                           return a.first == b.first;
                         }),
             pool.end());
  const auto maria = std::lower_bound(
      pool.begin(), pool.end(), kMariaLopezPlate,
      [](const auto& p, std::string_view plate) { return p.first < plate; });
  const bool has_maria =
      maria != pool.end() && maria->first == kMariaLopezPlate;

  // How many reads each plate gets: every read picks a plate at random,
  // except that MARIA LOPEZ's plate has the first twelve.
  std::vector<uint32_t> reads(pool.size());
  for (int64_t i = 0; i < o.plate_reads; ++i) {
    ++reads[has_maria && i < kMariaReads ? maria - pool.begin()
                                         : rng.Below(pool.size())];
  }

  struct Camera {
    std::string id;
    double lat, lon;
  };
  std::vector<Camera> cameras;
  for (int c = 1; c <= kCameras; ++c) {
    char id[16];
    std::snprintf(id, sizeof id, "CAM-%04d", c);
    cameras.push_back(
        {id, rng.Between(41.66, 42.01), rng.Between(-87.84, -87.53)});
  }
  const int64_t start = DaysFrom(2025, 1, 1) * 86400;
  const int64_t span = (DaysFrom(2025, 7, 1) - DaysFrom(2025, 1, 1)) * 86400;

  // Written plate by plate, newest first, ids counting up: the table's
  // clustering order, so every row is appended (see records.cc).
  Record r;
  r.values.assign(SchemaOf(Dataset::kPlateReads).fields.size(),
                  std::monostate{});
  std::string id(11, ' '), read_at;
  std::vector<int64_t> times;
  int64_t next = 1;
  for (size_t p = 0; p < pool.size(); ++p) {
    times.clear();
    for (uint32_t k = 0; k < reads[p]; ++k) {
      times.push_back(start + int64_t(rng.Below(span)));
    }
    std::sort(times.begin(), times.end(), std::greater<>());
    for (int64_t t : times) {
      const Camera& cam = cameras[rng.Below(cameras.size())];
      std::snprintf(id.data(), id.size() + 1, "R%010lld",
                    static_cast<long long>(next++));
      r.id = id;
      r.values[0] = r.id;
      r.values[1] = pool[p].first;
      r.values[2] = pool[p].second;
      IsoUtc(t, &read_at);
      r.values[3] = read_at;
      r.values[4] = cam.id;
      r.values[5] = cam.lat;
      r.values[6] = cam.lon;
      HAVEN_RETURN_IF_ERROR(w.Insert(Dataset::kPlateReads, r));
    }
  }
  return Status::Ok();
}

Status GenerateWarrants(internal::Writer& w, const GenerateOptions& o,
                        const std::vector<Name>& names) {
  Rng rng(o.seed * 0x100000001b3ULL + 3);
  const int64_t dob_lo = DaysFrom(1950, 1, 1), dob_hi = DaysFrom(2005, 12, 31);
  const int64_t lo = DaysFrom(2018, 1, 1), hi = DaysFrom(2025, 6, 30);
  Record r;
  for (int64_t i = 1; i <= o.warrants; ++i) {
    r.id = Id('W', i, 7);
    r.values.assign(SchemaOf(Dataset::kWarrants).fields.size(),
                    std::monostate{});
    r.values[0] = r.id;
    // About half name a generated person; never MARIA LOPEZ (names[0]).
    if (names.size() > 1 && rng.Chance(500)) {
      const Name& n = names[1 + rng.Below(names.size() - 1)];
      r.values[1] = n.last;
      r.values[2] = n.first;
      r.values[3] = n.dob;
    } else {
      bool female = rng.Chance(300);
      r.values[1] = Str(rng.Pick(kLastNames));
      r.values[2] = Str(female ? rng.Pick(kFemaleNames) : rng.Pick(kMaleNames));
      r.values[3] =
          Str(IsoDate(dob_lo + int64_t(rng.Below(dob_hi - dob_lo + 1))));
    }
    const int64_t issued = lo + int64_t(rng.Below(hi - lo + 1));
    std::string iso = IsoDate(issued);
    r.values[4] = Str("judicial");
    r.values[5] = Str("CIRCUIT COURT OF COOK COUNTY");
    r.values[6] = Str(rng.Pick(kJudges));
    char number[24];
    std::snprintf(number, sizeof number, "%sCR%07d", iso.substr(2, 2).c_str(),
                  int(rng.Below(10000000)));
    r.values[7] = Str(number);
    r.values[8] = Str(rng.Pick(kOffenses));
    r.values[9] = Str(std::move(iso));
    HAVEN_RETURN_IF_ERROR(w.Insert(Dataset::kWarrants, r));
  }
  return Status::Ok();
}

}  // namespace

Status Generate(Store& store, const GenerateOptions& options) {
  if (options.persons < 1) {
    return Status::InvalidArgument("generate: persons must be at least 1");
  }
  if (options.persons > 99999999 || options.plate_reads < 0 ||
      options.plate_reads > 9999999999LL || options.warrants < 0 ||
      options.warrants > 9999999) {
    return Status::InvalidArgument(
        "generate: counts must be from 0 to 9,999,999 (persons from 1 to "
        "99,999,999, plate reads to 9,999,999,999)");
  }
  internal::Writer w(store);  // rolls back unless committed
  for (Dataset d :
       {Dataset::kPersons, Dataset::kPlateReads, Dataset::kWarrants}) {
    StatusOr<int64_t> n = w.Count(d);
    if (!n.ok()) return n.status();
    if (*n > 0) {
      return Status::FailedPrecondition(
          "generate: " + std::string(DatasetName(d)) + " already holds " +
          std::to_string(*n) + " records; generate into a new store");
    }
  }
  HAVEN_RETURN_IF_ERROR(w.Begin());
  StatusOr<std::vector<std::pair<std::string, std::string>>> vehicle_plates =
      w.VehiclePlates();
  if (!vehicle_plates.ok()) return vehicle_plates.status();
  std::vector<Name> names;
  names.reserve(options.persons);
  // MARIA LOPEZ's plate comes first in the pool, then the persons' plates,
  // then the towed vehicles'.
  std::vector<std::pair<std::string, std::string>> pool;
  HAVEN_RETURN_IF_ERROR(GeneratePersons(w, options, &names, &pool));
  pool.insert(pool.end(), vehicle_plates->begin(), vehicle_plates->end());
  HAVEN_RETURN_IF_ERROR(GeneratePlateReads(w, options, std::move(pool)));
  HAVEN_RETURN_IF_ERROR(GenerateWarrants(w, options, names));
  HAVEN_RETURN_IF_ERROR(w.Commit());
  return w.Checkpoint();
}

}  // namespace haven::records
