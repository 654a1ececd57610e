"""CBV 2.0 and GS1 Web Vocabulary terms that EPCIS 2.0 JSON-LD writes as bare words.

The word lists are the scoped term definitions of the standard EPCIS 2.0 JSON-LD context
(https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld). Each vocabulary accepts a value in
any of the spellings found in the wild and gives back its bare word, or ``None`` when the value is not
a term of that vocabulary:

    shipping · cbv:BizStep-shipping · https://ref.gs1.org/cbv/BizStep-shipping
    urn:epcglobal:cbv:bizstep:shipping (EPCIS 1.x)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from types import MappingProxyType
from typing import Final

CBV_NAMESPACE: Final = "https://ref.gs1.org/cbv/"
# GS1 moved its Web Vocabulary from https://gs1.org/voc/ to https://ref.gs1.org/voc/; the reference
# event-hash generator's published CBV 2.0 vectors use the new namespace.
GS1_VOC_NAMESPACE: Final = "https://ref.gs1.org/voc/"
LEGACY_GS1_VOC_NAMESPACE: Final = "https://gs1.org/voc/"
EPCIS_NAMESPACE: Final = "https://ref.gs1.org/epcis/"


@dataclass(frozen=True)
class Vocabulary:
    """One closed list of terms sharing a URI prefix, e.g. CBV business steps (``BizStep-``)."""

    name: str
    namespace: str
    term_prefix: str
    words: frozenset[str]
    example_word: str
    legacy_urn_prefix: str | None = None
    legacy_namespace: str | None = None
    curie_prefix: str = "cbv"

    def word(self, value: str) -> str | None:
        """The bare word ``value`` spells in this vocabulary, or ``None``."""
        candidate = value.strip()
        for prefix in self._spellings:
            if candidate.startswith(prefix):
                candidate = candidate[len(prefix) :]
                break
        return candidate if candidate in self.words else None

    def uri(self, word: str) -> str:
        return f"{self.namespace}{self.term_prefix}{word}"

    def example(self) -> str:
        """How a term may be written, for error messages."""
        word = self.example_word
        return f"'{word}', '{self.curie_prefix}:{self.term_prefix}{word}' or '{self.uri(word)}'"

    def spellings(self) -> tuple[str, ...]:
        """The prefixes a term of this vocabulary may be written with, before its bare word."""
        return self._spellings

    @cached_property
    def _spellings(self) -> tuple[str, ...]:
        # Worked out once: every sensor report of a document looks its type up.
        spellings = [f"{self.namespace}{self.term_prefix}", f"{self.curie_prefix}:{self.term_prefix}"]
        if self.legacy_namespace:
            spellings.append(f"{self.legacy_namespace}{self.term_prefix}")
        if self.legacy_urn_prefix:
            spellings.append(self.legacy_urn_prefix)
        return tuple(spellings)


BIZ_STEPS: Final = Vocabulary(
    name="bizStep",
    example_word="shipping",
    namespace=CBV_NAMESPACE,
    term_prefix="BizStep-",
    legacy_urn_prefix="urn:epcglobal:cbv:bizstep:",
    words=frozenset(
        {
            "accepting",
            "arriving",
            "assembling",
            "collecting",
            "commissioning",
            "consigning",
            "creating_class_instance",
            "cycle_counting",
            "decommissioning",
            "departing",
            "destroying",
            "disassembling",
            "dispensing",
            "encoding",
            "entering_exiting",
            "holding",
            "inspecting",
            "installing",
            "killing",
            "loading",
            "other",
            "packing",
            "picking",
            "receiving",
            "removing",
            "repackaging",
            "repairing",
            "replacing",
            "reserving",
            "retail_selling",
            "sampling",
            "sensor_reporting",
            "shipping",
            "staging_outbound",
            "stock_taking",
            "stocking",
            "storing",
            "transporting",
            "unloading",
            "unpacking",
            "void_shipping",
        }
    ),
)

DISPOSITIONS: Final = Vocabulary(
    name="disposition",
    example_word="in_transit",
    namespace=CBV_NAMESPACE,
    term_prefix="Disp-",
    legacy_urn_prefix="urn:epcglobal:cbv:disp:",
    words=frozenset(
        {
            "active",
            "available",
            "completeness_inferred",
            "completeness_verified",
            "conformant",
            "container_closed",
            "container_open",
            "damaged",
            "destroyed",
            "dispensed",
            "disposed",
            "encoded",
            "expired",
            "in_progress",
            "in_transit",
            "inactive",
            "mismatch_class",
            "mismatch_instance",
            "mismatch_quantity",
            "needs_replacement",
            "no_pedigree_match",
            "non_conformant",
            "non_sellable_other",
            "partially_dispensed",
            "recalled",
            "reserved",
            "retail_sold",
            "returned",
            "sellable_accessible",
            "sellable_not_accessible",
            "stolen",
            "unavailable",
            "unknown",
        }
    ),
)

BIZ_TRANSACTION_TYPES: Final = Vocabulary(
    name="bizTransaction type",
    example_word="cert",
    namespace=CBV_NAMESPACE,
    term_prefix="BTT-",
    legacy_urn_prefix="urn:epcglobal:cbv:btt:",
    words=frozenset(
        {
            "bol",
            "cert",
            "desadv",
            "inv",
            "pedigree",
            "po",
            "poc",
            "prodorder",
            "recadv",
            "rma",
            "testprd",
            "testres",
            "upevt",
        }
    ),
)

SOURCE_DESTINATION_TYPES: Final = Vocabulary(
    name="source/destination type",
    example_word="owning_party",
    namespace=CBV_NAMESPACE,
    term_prefix="SDT-",
    legacy_urn_prefix="urn:epcglobal:cbv:sdt:",
    words=frozenset({"location", "owning_party", "possessing_party"}),
)

ERROR_REASONS: Final = Vocabulary(
    name="errorDeclaration reason",
    example_word="incorrect_data",
    namespace=CBV_NAMESPACE,
    term_prefix="ER-",
    legacy_urn_prefix="urn:epcglobal:cbv:er:",
    words=frozenset({"did_not_occur", "incorrect_data"}),
)

SENSOR_COMPONENTS: Final = Vocabulary(
    name="sensorReport component",
    example_word="x",
    namespace=CBV_NAMESPACE,
    term_prefix="Comp-",
    words=frozenset(
        {
            "altitude",
            "axial_distance",
            "azimuth",
            "easting",
            "elevation_angle",
            "height",
            "latitude",
            "longitude",
            "northing",
            "polar_angle",
            "spherical_radius",
            "x",
            "y",
            "z",
        }
    ),
)

MEASUREMENT_TYPES: Final = Vocabulary(
    name="sensorReport type",
    example_word="Temperature",
    namespace=GS1_VOC_NAMESPACE,
    legacy_namespace=LEGACY_GS1_VOC_NAMESPACE,
    term_prefix="",
    curie_prefix="gs1",
    words=frozenset(
        {
            "AbsoluteHumidity",
            "AbsorbedDose",
            "AbsorbedDoseRate",
            "Acceleration",
            "Altitude",
            "AmountOfSubstance",
            "AmountOfSubstancePerUnitVolume",
            "Angle",
            "AngularAcceleration",
            "AngularMomentum",
            "AngularVelocity",
            "Area",
            "Capacitance",
            "Conductance",
            "Conductivity",
            "Count",
            "Density",
            "Dimensionless",
            "DoseEquivalent",
            "DoseEquivalentRate",
            "DynamicViscosity",
            "ElectricCharge",
            "ElectricCurrent",
            "ElectricCurrentDensity",
            "ElectricFieldStrength",
            "Energy",
            "Exposure",
            "Force",
            "Frequency",
            "Illuminance",
            "Inductance",
            "Irradiance",
            "KinematicViscosity",
            "Length",
            "LinearMomentum",
            "Luminance",
            "LuminousFlux",
            "LuminousIntensity",
            "MagneticFlux",
            "MagneticFluxDensity",
            "MagneticVectorPotential",
            "Mass",
            "MassConcentration",
            "MassFlowRate",
            "MassPerAreaTime",
            "MemoryCapacity",
            "MolalityOfSolute",
            "MolarEnergy",
            "MolarMass",
            "MolarVolume",
            "Power",
            "Pressure",
            "RadiantFlux",
            "RadiantIntensity",
            "Radioactivity",
            "RelativeHumidity",
            "Resistance",
            "Resistivity",
            "SolidAngle",
            "SpecificVolume",
            "Speed",
            "SurfaceDensity",
            "SurfaceTension",
            "Temperature",
            "Time",
            "Torque",
            "Voltage",
            "Volume",
            "VolumeFlowRate",
            "VolumeFraction",
            "VolumetricFlux",
            "Wavenumber",
        }
    ),
)

SENSOR_EXCEPTIONS: Final = Vocabulary(
    name="sensorReport exception",
    example_word="ALARM_CONDITION",
    namespace=GS1_VOC_NAMESPACE,
    legacy_namespace=LEGACY_GS1_VOC_NAMESPACE,
    term_prefix="",
    curie_prefix="gs1",
    words=frozenset({"ALARM_CONDITION", "ERROR_CONDITION"}),
)

TEMPERATURE: Final = "Temperature"

ACTIONS: Final = frozenset({"ADD", "OBSERVE", "DELETE"})

EVENT_TYPES: Final = frozenset(
    {"ObjectEvent", "AggregationEvent", "TransactionEvent", "TransformationEvent", "AssociationEvent"}
)

# Prefixes every EPCIS 2.0 document may use without declaring them, because the standard context
# declares them. ``cbvmda`` keeps the XML namespace spelling (no trailing colon) so that JSON and XML
# renderings of the same master-data attribute hash alike, as the reference generator does.
STANDARD_PREFIXES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "gs1": GS1_VOC_NAMESPACE,
        "cbv": CBV_NAMESPACE,
        "epcis": EPCIS_NAMESPACE,
        "cbvmda": "urn:epcglobal:cbv:mda",
    }
)

EPCIS_CONTEXTS: Final = frozenset(
    {
        "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
        "https://ref.gs1.org/standards/epcis/epcis-context.jsonld",
        "https://gs1.github.io/EPCIS/epcis-context.jsonld",
    }
)
