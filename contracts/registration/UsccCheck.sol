// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

/// @title UsccCheck
/// @notice Validates a Unified Social Credit Code (GB 32100-2015) given as its 18 ASCII bytes.
/// @dev Shape `^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$`, the GB 11714 check character of the
/// organisation code at position 17, and the GB 32100 check character at position 18. Mirrors
/// gzchain/domain/uscc.py, except that the registration authority and institution type (positions 1-2) are
/// checked there only: those tables may grow, a check character's arithmetic never changes.
///
/// Every registration runs this, so it is written for few EVM steps: the per-character facts are table
/// lookups in packed constants instead of chains of comparisons, and the sums (at most 17 products of two
/// numbers below 36) cannot overflow, so they run unchecked.
library UsccCheck {
    uint256 private constant _CHECKED_LENGTH = 17; // positions covered by the final check character
    uint256 private constant _BASE = 31; // size of the USCC alphabet 0-9 A-H J-N P Q R T U W X Y
    uint256 private constant _FIRST_CHARACTER = 0x30; // "0", the lowest character of the alphabet

    // For each ASCII character from "0" (0x30) to "Y" (0x59), five bits: its alphabet value plus one, or
    // 0 for a character outside the alphabet (":" to "@", I, O, S, V). Generated from uscc.py's ALPHABET.
    uint256 private constant _VALUES_PLUS_ONE = 0x3fee839b06b3805ed5a4c128c1ee6b160000000014941cc520c41;

    // One byte per position 1-17, position 1 in the lowest byte (the loop shifts each table right as it
    // goes): the GB 32100 weights 3^(i-1) mod 31,
    uint256 private constant _WEIGHTS = 0x1c1e0a18080d191d1411101a131b090301;
    // the GB 11714 weights of organisation-code characters 1-8 (USCC positions 9-16), zero elsewhere,
    uint256 private constant _ORGANISATION_WEIGHTS = 0x020408050a0907030000000000000000;
    // and the highest value allowed: 9 (digits only) at positions 3-8, the division code; 30 elsewhere.
    uint256 private constant _HIGHEST_VALUES = 0x1e1e1e1e1e1e1e1e1e0909090909091e1e;

    /// @notice The 1-based position of the first character that is wrong, or 0 if `code` is a valid USCC.
    /// @dev Positions are checked in order; position 17 is wrong when it is not the GB 11714 check character of
    /// positions 9-16, position 18 when it is not the GB 32100 check character of positions 1-17.
    function firstInvalidPosition(bytes18 code) internal pure returns (uint8) {
        uint256 total; // GB 32100: sum of value(Ci) * 3^(i-1) over positions 1-17
        uint256 organisationTotal; // GB 11714: weighted sum over positions 9-16
        uint256 characters = uint256(bytes32(code)); // position 1 in the highest byte
        uint256 weights = _WEIGHTS;
        uint256 organisationWeights = _ORGANISATION_WEIGHTS;
        uint256 highestValues = _HIGHEST_VALUES;
        unchecked {
            for (uint256 position = 1; position <= _CHECKED_LENGTH; ++position) {
                uint256 char = characters >> 248; // the highest byte
                uint256 value = _value(char);
                if (value > highestValues & 0xff) return uint8(position);
                total += value * (weights & 0xff);
                organisationTotal += _organisationValue(char) * (organisationWeights & 0xff);
                characters <<= 8;
                weights >>= 8;
                organisationWeights >>= 8;
                highestValues >>= 8;
            }
        }
        if (code[16] != _organisationCheckCharacter(organisationTotal)) return 17;
        if (_value(uint8(code[_CHECKED_LENGTH])) != (_BASE - (total % _BASE)) % _BASE) return 18;
        return 0;
    }

    /// @dev The value 0-30 of a USCC alphabet character; type(uint256).max for any other byte, which is above
    /// every highest value and every check value.
    function _value(uint256 char) private pure returns (uint256) {
        unchecked {
            // A byte below "0" wraps to a shift of 256 bits or more, one above "Y" shifts past the table's
            // 210 bits: both read 0, like the characters the table marks as outside the alphabet.
            return ((_VALUES_PLUS_ONE >> (5 * (char - _FIRST_CHARACTER))) & 0x1f) - 1;
        }
    }

    /// @dev GB 11714 counts letters A=10 ... Z=35 over the full Latin alphabet, unlike the USCC alphabet.
    /// Only called for USCC alphabet characters (digits and capitals).
    function _organisationValue(uint256 char) private pure returns (uint256) {
        unchecked {
            return char <= 0x39 ? char - 0x30 : char - 0x41 + 10;
        }
    }

    function _organisationCheckCharacter(uint256 organisationTotal) private pure returns (bytes1) {
        uint256 check = 11 - (organisationTotal % 11);
        if (check == 10) return "X";
        if (check == 11) return "0";
        return bytes1(uint8(0x30 + check));
    }
}
