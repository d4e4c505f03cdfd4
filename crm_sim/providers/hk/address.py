"""Hong Kong addresses: flat, floor, building, street and one of the 18 districts."""

from collections import OrderedDict

from faker.providers.address import Provider as AddressProvider


class Provider(AddressProvider):
    """Addresses written the local way.

    Example: ``Flat C, 12/F, Jade Court, 88 Nathan Road, Yau Tsim Mong``.
    """

    # Our OrderedDicts hold real weights: sample by them even when added to a Faker built
    # elsewhere (a provider added with add_provider defaults to uniform sampling).
    __use_weighting__ = True

    # 2021 Population Census (Census and Statistics Department), population by District
    # Council district; used as sampling weights (approximate, rounded to the person).
    districts = OrderedDict(
        (
            ("Central and Western", 235_953),
            ("Wan Chai", 166_695),
            ("Eastern", 529_603),
            ("Southern", 263_278),
            ("Yau Tsim Mong", 310_647),
            ("Sham Shui Po", 431_090),
            ("Kowloon City", 410_634),
            ("Wong Tai Sin", 406_802),
            ("Kwun Tong", 673_166),
            ("Kwai Tsing", 495_798),
            ("Tsuen Wan", 320_094),
            ("Tuen Mun", 506_879),
            ("Yuen Long", 668_080),
            ("North", 309_631),
            ("Tai Po", 316_470),
            ("Sha Tin", 692_806),
            ("Sai Kung", 489_037),
            ("Islands", 185_282),
        )
    )

    # Real, well-known street names in each district (Lands Department street index);
    # only the street is real, every number/building/flat built with it is synthetic.
    streets_by_district = OrderedDict(
        (
            (
                "Central and Western",
                (
                    "Queen's Road Central",
                    "Des Voeux Road Central",
                    "Connaught Road West",
                    "Caine Road",
                    "Hollywood Road",
                ),
            ),
            (
                "Wan Chai",
                (
                    "Hennessy Road",
                    "Lockhart Road",
                    "Johnston Road",
                    "Gloucester Road",
                    "Queen's Road East",
                ),
            ),
            (
                "Eastern",
                ("King's Road", "Shau Kei Wan Road", "Electric Road", "Java Road", "Chai Wan Road"),
            ),
            (
                "Southern",
                (
                    "Aberdeen Main Road",
                    "Ap Lei Chau Main Street",
                    "Pok Fu Lam Road",
                    "Wong Chuk Hang Road",
                ),
            ),
            (
                "Yau Tsim Mong",
                (
                    "Nathan Road",
                    "Canton Road",
                    "Argyle Street",
                    "Shanghai Street",
                    "Portland Street",
                ),
            ),
            (
                "Sham Shui Po",
                (
                    "Cheung Sha Wan Road",
                    "Lai Chi Kok Road",
                    "Castle Peak Road",
                    "Tai Po Road",
                    "Fuk Wa Street",
                ),
            ),
            (
                "Kowloon City",
                (
                    "Prince Edward Road West",
                    "Waterloo Road",
                    "Ma Tau Wai Road",
                    "To Kwa Wan Road",
                    "Hung Hom Road",
                ),
            ),
            (
                "Wong Tai Sin",
                ("Lung Cheung Road", "Choi Hung Road", "Ching Tak Street", "Fung Tak Road"),
            ),
            (
                "Kwun Tong",
                (
                    "Kwun Tong Road",
                    "Hoi Bun Road",
                    "How Ming Street",
                    "Ngau Tau Kok Road",
                    "Hip Wo Street",
                ),
            ),
            (
                "Kwai Tsing",
                (
                    "Kwai Chung Road",
                    "Hing Fong Road",
                    "Tsing Yi Road",
                    "Castle Peak Road Kwai Chung",
                ),
            ),
            (
                "Tsuen Wan",
                ("Sha Tsui Road", "Castle Peak Road Tsuen Wan", "Tai Ho Road", "Chung On Street"),
            ),
            (
                "Tuen Mun",
                (
                    "Tuen Mun Heung Sze Wui Road",
                    "Castle Peak Road Tuen Mun",
                    "Tsing Hoi Circuit",
                    "Hoi Wing Road",
                ),
            ),
            (
                "Yuen Long",
                (
                    "Castle Peak Road Yuen Long",
                    "Kau Yuk Road",
                    "Tin Shui Wai Road",
                    "Long Yat Road",
                ),
            ),
            (
                "North",
                ("San Wan Road", "Jockey Club Road", "Lung Sum Avenue", "Fanling Station Road"),
            ),
            ("Tai Po", ("Kwong Fuk Road", "On Chee Road", "Tai Po Tai Wo Road", "Ting Kok Road")),
            (
                "Sha Tin",
                (
                    "Sha Tin Centre Street",
                    "Tai Chung Kiu Road",
                    "Ma On Shan Road",
                    "Siu Lek Yuen Road",
                ),
            ),
            ("Sai Kung", ("Po Hong Road", "Tong Ming Street", "Hiram's Highway", "Chui Ling Road")),
            (
                "Islands",
                ("Tung Chung Waterfront Road", "Mui Wo Ferry Pier Road", "Cheung Chau Praya Road"),
            ),
        )
    )

    # The same streets as (street, district) pairs, so a street always sits in its district.
    street_district_pairs = tuple(
        (s, d) for d, streets in streets_by_district.items() for s in streets
    )

    # Building name parts common on Hong Kong residential and commercial blocks.
    building_prefixes = (
        "Kwong Fai",
        "Jade",
        "Golden",
        "Harbour View",
        "Tak Shing",
        "Wing Lok",
        "Kam Fung",
        "Sun Wah",
        "Park",
        "Garden",
        "Hoi Tak",
        "Man Yee",
        "Fu Lee",
        "Ka Wai",
        "Yan On",
        "Tai Hing",
        "On Ning",
        "Shing Fat",
        "Grand",
        "Bel Air",
    )
    building_suffixes = ("Building", "Mansion", "Court", "House", "Centre", "Tower", "Garden")
    flat_letters = ("A", "B", "C", "D", "E", "F", "G", "H")
    address_formats = (
        "Flat {{flat_letter}}, {{floor}}/F, {{building_name}}, "
        "{{building_number}} {{street_and_district}}",
    )

    def district(self) -> str:
        """One of the 18 districts, weighted by population."""
        return self.random_element(self.districts)

    def street_name(self) -> str:
        """A street of a random district."""
        return self.random_element(self.random_element(tuple(self.streets_by_district.values())))

    def street_and_district(self) -> str:
        """A street followed by the district it lies in."""
        return "{}, {}".format(*self.random_element(self.street_district_pairs))

    def building_name(self) -> str:
        """A synthetic building name, e.g. ``Jade Court``."""
        return self.generator.parse("{{building_prefix}} {{building_suffix}}")

    def building_prefix(self) -> str:
        """The first part of a building name."""
        return self.random_element(self.building_prefixes)

    def building_suffix(self) -> str:
        """Building, Mansion, Court ..."""
        return self.random_element(self.building_suffixes)

    def flat_letter(self) -> str:
        """The flat on a floor."""
        return self.random_element(self.flat_letters)

    def floor(self) -> str:
        """A floor number (1 to 40)."""
        return str(self.random_int(1, 40))

    def building_number(self) -> str:
        """A street number."""
        return str(self.random_int(1, 388))

    def address(self) -> str:
        """A full one-line address."""
        return self.generator.parse(self.random_element(self.address_formats))
